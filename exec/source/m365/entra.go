package m365

import (
	"strings"

	"github.com/kqlhunt/kqlhunt/lang/types"
)

// Entra ID tables.
const (
	SigninLogs                      = "SigninLogs"
	AADNonInteractiveUserSignInLogs = "AADNonInteractiveUserSignInLogs"
	AADServicePrincipalSignInLogs   = "AADServicePrincipalSignInLogs"
	AADManagedIdentitySignInLogs    = "AADManagedIdentitySignInLogs"
	AuditLogs                       = "AuditLogs"
	MicrosoftGraphActivityLogs      = "MicrosoftGraphActivityLogs"
	AADUserRiskEvents               = "AADUserRiskEvents"
	AADRiskyUsers                   = "AADRiskyUsers"
)

// entraCategories maps diagnostic-settings categories (lower case) to the
// Log Analytics tables Sentinel stores them in.
var entraCategories = map[string]string{
	"signinlogs":                          SigninLogs,
	"noninteractiveusersigninlogs":        AADNonInteractiveUserSignInLogs,
	"serviceprincipalsigninlogs":          AADServicePrincipalSignInLogs,
	"managedidentitysigninlogs":           AADManagedIdentitySignInLogs,
	"auditlogs":                           AuditLogs,
	"microsoftgraphactivitylogs":          MicrosoftGraphActivityLogs,
	"userriskevents":                      AADUserRiskEvents,
	"riskyusers":                          AADRiskyUsers,
	"serviceprincipalriskevents":          "AADServicePrincipalRiskEvents",
	"riskyserviceprincipals":              "AADRiskyServicePrincipals",
	"provisioninglogs":                    "AADProvisioningLogs",
	"adfssigninlogs":                      "ADFSSignInLogs",
	"networkaccesstrafficlogs":            "NetworkAccessTraffic",
	"enrichedoffice365auditlogs":          "EnrichedMicrosoft365AuditLogs",
	"b2crequestlogs":                      "AADB2CRequestLogs",
	"microsoftserviceprincipalsigninlogs": AADServicePrincipalSignInLogs,
}

// isSignIn reports whether table holds sign-in records.
func isSignIn(table string) bool {
	switch table {
	case SigninLogs, AADNonInteractiveUserSignInLogs, AADServicePrincipalSignInLogs, AADManagedIdentitySignInLogs, "ADFSSignInLogs":
		return true
	}
	return false
}

// entraEnvelope routes a diagnostic-settings record by its category.
// Categories that are not Entra log categories but carry an audit record
// (Panther writes the audit category, such as Policy or
// ApplicationManagement, in the envelope) go to AuditLogs.
func entraEnvelope(env *obj) mapped {
	cat := env.str("category")
	props := env.sub("properties")
	table, ok := entraCategories[strings.ToLower(cat)]
	if !ok {
		switch {
		case props.has("activityDisplayName") || props.has("activityDateTime") || props.has("loggedByService") || props.has("initiatedBy"):
			table = AuditLogs
		case props.has("createdDateTime") && (props.has("userPrincipalName") || props.has("servicePrincipalId")):
			table = SigninLogs
		default:
			return genericEnvelope(cat, env, props)
		}
	}
	return entraRow(table, cat, env, props)
}

// genericEnvelope loads a record of an unknown category into a table named
// after it: the envelope fields and the properties, first letter upper-cased.
func genericEnvelope(cat string, env, props *obj) mapped {
	vals := types.NewBag(32)
	put := func(o *obj) {
		for _, k := range o.b.Keys() {
			if k == "properties" || strings.HasPrefix(k, "p_") {
				continue
			}
			v, _ := o.b.Get(k)
			vals.Set(strings.ToUpper(k[:1])+k[1:], v)
		}
	}
	put(env)
	if props != nil {
		put(props)
	}
	if _, ok := vals.Get("TimeGenerated"); !ok {
		vals.Set("TimeGenerated", env.val("time"))
	}
	return mapped{table: cat, vals: vals, extras: true}
}

// graphSignInTable is the table of a Graph signIn object (beta objects
// say which kind of sign-in they are in signInEventTypes).
func graphSignInTable(o *obj) string {
	if list, ok := o.val("signInEventTypes").([]any); ok {
		for _, e := range list {
			switch s, _ := e.(string); strings.ToLower(s) {
			case "noninteractiveuser":
				return AADNonInteractiveUserSignInLogs
			case "serviceprincipal":
				return AADServicePrincipalSignInLogs
			case "managedidentity":
				return AADManagedIdentitySignInLogs
			}
		}
	}
	return SigninLogs
}

// entraSpecial lists, per column, where a value comes from when it is not
// the property of the same name (case-insensitive). env is nil for Graph
// objects, which are the properties alone.
var entraSpecial = map[string]func(table, cat string, env, props *obj, kind types.Kind) any{
	"TimeGenerated": func(table, _ string, env, props *obj, _ types.Kind) any {
		return firstOf(env.val("time"), props.first("timeGenerated", "activityDateTime", "createdDateTime", "detectedDateTime", "riskLastUpdatedDateTime", "activityDateTime"))
	},
	"OperationName": func(table, _ string, env, props *obj, _ types.Kind) any {
		if v := env.val("operationName"); v != nil {
			return v
		}
		switch {
		case table == AuditLogs:
			return props.first("activityDisplayName", "operationName")
		case isSignIn(table):
			return "Sign-in activity"
		}
		return props.val("operationName")
	},
	"ActivityDisplayName": func(_, _ string, env, props *obj, _ types.Kind) any {
		return firstOf(props.val("activityDisplayName"), env.val("operationName"))
	},
	"OperationVersion": func(_, _ string, env, props *obj, _ types.Kind) any {
		return firstOf(env.val("operationVersion"), props.val("operationVersion"))
	},
	"Category": func(table, cat string, env, props *obj, _ types.Kind) any {
		if table == AuditLogs {
			if v := props.val("category"); v != nil {
				return v
			}
			if cat != "" && !strings.EqualFold(cat, "AuditLogs") {
				return cat
			}
			return nil
		}
		if cat != "" {
			return cat
		}
		if isSignIn(table) {
			return map[string]string{SigninLogs: "SignInLogs", AADNonInteractiveUserSignInLogs: "NonInteractiveUserSignInLogs", AADServicePrincipalSignInLogs: "ServicePrincipalSignInLogs", AADManagedIdentitySignInLogs: "ManagedIdentitySignInLogs"}[table]
		}
		return props.val("category")
	},
	"ResultType": func(_, _ string, env, props *obj, _ types.Kind) any {
		return firstOf(env.val("resultType"), props.sub("status").val("errorCode"), props.val("resultType"))
	},
	"ResultDescription": func(_, _ string, env, props *obj, _ types.Kind) any {
		return firstOf(env.val("resultDescription"), props.sub("status").val("failureReason"), props.val("resultDescription"))
	},
	"ResultSignature": func(_, _ string, env, props *obj, _ types.Kind) any {
		return firstOf(env.val("resultSignature"), props.val("resultSignature"))
	},
	"DurationMs": func(_, _ string, env, props *obj, _ types.Kind) any {
		return firstOf(env.val("durationMs"), props.val("durationMs"))
	},
	"CorrelationId": func(_, _ string, env, props *obj, _ types.Kind) any {
		return firstOf(env.val("correlationId"), props.val("correlationId"))
	},
	"Identity": func(_, _ string, env, props *obj, _ types.Kind) any {
		return firstOf(env.val("identity"), props.val("identity"))
	},
	"Level": func(_, _ string, env, props *obj, _ types.Kind) any {
		return firstOf(env.val("level"), props.val("level"))
	},
	// Location is the country code (string columns) or the location object
	// (dynamic columns, as in AADUserRiskEvents).
	"Location": func(_, _ string, env, props *obj, kind types.Kind) any {
		loc := props.val("location")
		if kind == types.Dynamic {
			return firstOf(loc, env.val("location"))
		}
		if b, ok := loc.(*types.Bag); ok {
			if c := newObj(b).val("countryOrRegion"); c != nil {
				return c
			}
		}
		if s, ok := loc.(string); ok && s != "" {
			return s
		}
		return env.val("location")
	},
	"LocationDetails": func(_, _ string, _, props *obj, _ types.Kind) any {
		return props.val("location")
	},
	"IPAddress": func(_, _ string, env, props *obj, _ types.Kind) any {
		return firstOf(props.val("ipAddress"), env.val("callerIpAddress"))
	},
	"IpAddress": func(_, _ string, env, props *obj, _ types.Kind) any {
		return firstOf(props.val("ipAddress"), env.val("callerIpAddress"))
	},
	"ResourceId": func(_, _ string, env, props *obj, _ types.Kind) any {
		if env == nil {
			return nil
		}
		return env.val("resourceId")
	},
	"ResourceIdentity": func(_, _ string, _, props *obj, _ types.Kind) any {
		return props.val("resourceId")
	},
	"AADTenantId": func(_, _ string, env, props *obj, _ types.Kind) any {
		return firstOf(props.val("tenantId"), env.val("tenantId"))
	},
	"AadTenantId": func(_, _ string, env, props *obj, _ types.Kind) any {
		return firstOf(props.val("tenantId"), env.val("tenantId"))
	},
	"TenantId": func(string, string, *obj, *obj, types.Kind) any { return nil }, // the workspace
	"ConditionalAccessPolicies": func(_, _ string, _, props *obj, _ types.Kind) any {
		return props.first("appliedConditionalAccessPolicies", "conditionalAccessPolicies")
	},
	"AppliedConditionalAccessPolicies": func(_, _ string, _, props *obj, _ types.Kind) any {
		return props.first("appliedConditionalAccessPolicies", "conditionalAccessPolicies")
	},
	"ProcessingTimeInMs": func(_, _ string, _, props *obj, _ types.Kind) any {
		return props.first("processingTimeInMilliseconds", "processingTimeInMs")
	},
	"AADOperationType": func(_, _ string, _, props *obj, _ types.Kind) any {
		return props.val("operationType")
	},
	"Result": func(_, _ string, env, props *obj, _ types.Kind) any {
		return firstOf(props.val("result"), env.val("result"))
	},
	"Resource": func(table, _ string, env, _ *obj, _ types.Kind) any {
		return aadiam(table, env)
	},
	"ResourceGroup": func(table, _ string, env, _ *obj, _ types.Kind) any {
		return aadiam(table, env)
	},
	"ResourceProvider": func(string, string, *obj, *obj, types.Kind) any { return nil },
	"Id":               func(_, _ string, _, props *obj, _ types.Kind) any { return props.val("id") },
	"Type": func(table, _ string, _, _ *obj, _ types.Kind) any {
		return table
	},
	"SourceSystem": func(string, string, *obj, *obj, types.Kind) any { return "Azure AD" },
	"RiskEventTypes_V2": func(_, _ string, _, props *obj, _ types.Kind) any {
		return props.first("riskEventTypes_v2", "riskEventTypesV2")
	},
}

// aadiam is what Sentinel writes in Resource and ResourceGroup of Entra
// tables (sign-ins and audit logs).
func aadiam(table string, env *obj) any {
	if table == AuditLogs || isSignIn(table) {
		return "Microsoft.aadiam"
	}
	return nil
}

func firstOf(vs ...any) any {
	for _, v := range vs {
		if v != nil {
			return v
		}
	}
	return nil
}

// entraRow maps an Entra record (a diagnostic envelope and its properties,
// or a Graph object as props with env nil) to a row of table: every schema
// column takes its special source (entraSpecial), else the property of the
// same name, else the envelope field of the same name (case-insensitive).
func entraRow(table, cat string, env, props *obj) mapped {
	cols := tableColumns(table)
	vals := types.NewBag(len(cols))
	if props == nil {
		props = newObj(types.NewBag(0))
	}
	for _, c := range cols {
		var v any
		if fn, ok := entraSpecial[c.Name]; ok {
			v = fn(table, cat, env, props, c.Kind)
		} else {
			v = firstOf(props.val(c.Name), env.val(c.Name))
		}
		if v != nil {
			vals.Set(c.Name, v)
		}
	}
	m := mapped{table: table, vals: vals}
	if len(cols) == 0 {
		// No schema for this table: keep what the record has.
		g := genericEnvelope(table, orEmpty(env), props)
		g.table = table
		return g
	}
	return m
}

func orEmpty(o *obj) *obj {
	if o == nil {
		return newObj(types.NewBag(0))
	}
	return o
}
