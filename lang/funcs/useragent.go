package funcs

import "github.com/kqlhunt/kqlhunt/lang/types"

// parse_user_agent (kernel: exec/kernels/useragent.go).

func init() {
	Register(dxScalar("parse_user_agent",
		`the browser, operating system and/or device of a user-agent string as a dynamic bag: look-for is "browser", "os", "device" or an array of them; Browser {Family, MajorVersion, MinorVersion, Patch}, OperatingSystem {Family, MajorVersion, MinorVersion, Patch, PatchMinor}, Device {Family, Brand, Model}`,
		dxOv("parse_user_agent", types.Dynamic,
			dxA("user_agent_string", types.Set(types.String, types.Dynamic)),
			dxA("look_for", types.Set(types.String, types.Dynamic)))))
}
