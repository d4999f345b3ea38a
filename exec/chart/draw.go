package chart

import (
	"bytes"
	"fmt"
	"html"
	"image/color"
	"io"
	"math"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/kqlhunt/kqlhunt/lang/types"
)

// Width and Height are the size of drawn charts.
var (
	Width  = 10 * vg.Inch
	Height = 5 * vg.Inch
)

func init() {
	// sans-serif text: narrower, and what SVG viewers substitute more faithfully
	plot.DefaultFont = font.Font{Typeface: "Liberation", Variant: "Sans"}
}

// maxDrawn caps the series drawn (the legend would be unreadable beyond).
const maxDrawn = 30

// Write draws the chart in the format named by ext (".svg", ".png",
// ".html"): HTML is a standalone page with the SVG inline.
func Write(w io.Writer, ch *Chart, ext string) (err error) {
	defer func() {
		// the plotting library panics on degenerate input
		if r := recover(); r != nil {
			err = fmt.Errorf("chart: cannot draw %s: %v", ch.Info.Kind, r)
		}
	}()
	ext = strings.ToLower(strings.TrimPrefix(ext, "."))
	switch ext {
	case "svg", "png":
	case "html", "htm":
		var svg bytes.Buffer
		if err := Write(&svg, ch, "svg"); err != nil {
			return err
		}
		title := ch.Info.Title
		if title == "" {
			title = ch.Info.Kind
		}
		s := svg.String()
		if i := strings.Index(s, "<svg"); i > 0 {
			s = s[i:] // drop the XML prolog: the SVG is inline
		}
		_, err := fmt.Fprintf(w, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>%s</title>\n"+
			"<style>body{font-family:sans-serif;margin:1em}svg{max-width:100%%;height:auto}</style></head>\n"+
			"<body>\n%s\n</body></html>\n", html.EscapeString(title), s)
		return err
	default:
		return fmt.Errorf("chart: unknown format %q (use .svg, .png or .html)", ext)
	}
	p, err := Plot(ch)
	if err != nil {
		return err
	}
	var wt io.WriterTo
	wt, err = p.WriterTo(Width, Height, ext)
	if err != nil {
		return err
	}
	_, err = wt.WriteTo(w)
	return err
}

// FormatOf returns the chart format of a file name, or "" when the
// extension is not one Write knows.
func FormatOf(path string) string {
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".svg", ".png", ".html", ".htm":
		return ext[1:]
	}
	return ""
}

// Plot builds the gonum plot of the chart.
func Plot(ch *Chart) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = ch.Info.Title
	p.X.Label.Text = ch.Info.XTitle
	p.Y.Label.Text = ch.Info.YTitle
	p.Legend.Top = true
	series := ch.Series
	if len(series) > maxDrawn {
		series = series[:maxDrawn]
		if p.Title.Text != "" {
			p.Title.Text += " "
		}
		p.Title.Text += fmt.Sprintf("(first %d of %d series)", maxDrawn, len(ch.Series))
	}
	var err error
	switch ch.Info.Kind {
	case "piechart":
		err = drawPie(p, ch, series)
	case "columnchart", "barchart":
		err = drawBars(p, ch, series)
	case "areachart", "stackedareachart":
		err = drawAreas(p, ch, series)
	case "scatterchart":
		err = drawXY(p, ch, series, false, true)
	default: // timechart, linechart, anomalychart, and the rest as lines
		err = drawXY(p, ch, series, true, false)
	}
	if err != nil {
		return nil, err
	}
	if ch.Info.Legend == "hidden" {
		p.Legend = plot.NewLegend()
	} else if ch.Info.Kind != "piechart" && ch.Info.Kind != "barchart" {
		// headroom above the data for the legend in the top right corner
		rows := len(series)
		if len(series) > 0 && len(series[0].Anomalies) > 0 {
			rows++
		}
		p.Y.Max += (p.Y.Max - math.Min(p.Y.Min, 0)) * math.Min(0.08*float64(rows)+0.05, 0.8)
	} else if ch.Info.Kind == "barchart" {
		p.X.Max += (p.X.Max - math.Min(p.X.Min, 0)) * 0.25
	}
	if ch.Info.YMin != nil {
		p.Y.Min = *ch.Info.YMin
	}
	if ch.Info.YMax != nil {
		p.Y.Max = *ch.Info.YMax
	}
	if ch.Info.YAxis == "log" {
		if p.Y.Min <= 0 {
			p.Y.Min = math.Inf(1)
			for _, s := range series {
				for _, y := range s.Y {
					if y > 0 {
						p.Y.Min = math.Min(p.Y.Min, y)
					}
				}
			}
			if math.IsInf(p.Y.Min, 1) {
				p.Y.Min = 1
			}
			p.Y.Max = math.Max(p.Y.Max, p.Y.Min*10)
		}
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = plot.LogTicks{}
	}
	return p, nil
}

func (ch *Chart) timeX() bool { return ch.XKind == types.DateTime }

// xs returns the x value to draw: datetime in Unix seconds.
func (ch *Chart) x(v float64) float64 {
	if ch.timeX() {
		return v / 1e9
	}
	return v
}

func setTimeAxis(p *plot.Plot, ch *Chart) {
	if !ch.timeX() {
		return
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, s := range ch.Series {
		for _, x := range s.X {
			lo, hi = math.Min(lo, x), math.Max(hi, x)
		}
	}
	format := "2006-01-02\n15:04"
	if hi-lo >= float64(7*24*time.Hour) {
		format = "2006-01-02"
	}
	p.X.Tick.Marker = plot.TimeTicks{Format: format, Time: func(t float64) time.Time { return time.Unix(int64(t), 0).UTC() }}
}

func points(ch *Chart, s *Series) plotter.XYs {
	var xy plotter.XYs
	for i, y := range s.Y {
		if math.IsNaN(y) || math.IsInf(y, 0) {
			continue
		}
		xy = append(xy, plotter.XY{X: ch.x(s.X[i]), Y: y})
	}
	return xy
}

func drawXY(p *plot.Plot, ch *Chart, series []*Series, lines, dots bool) error {
	setTimeAxis(p, ch)
	if ch.XKind == types.String {
		p.NominalX(ch.Categories...)
	}
	for i, s := range series {
		xy := points(ch, s)
		if len(xy) == 0 {
			continue
		}
		col := plotutil.Color(i)
		if lines {
			l, err := plotter.NewLine(xy)
			if err != nil {
				return err
			}
			l.LineStyle.Color = col
			l.LineStyle.Width = vg.Points(1.5)
			p.Add(l)
			p.Legend.Add(s.Name, l)
		}
		if dots {
			sc, err := plotter.NewScatter(xy)
			if err != nil {
				return err
			}
			sc.GlyphStyle.Color = col
			sc.GlyphStyle.Shape = draw.CircleGlyph{}
			sc.GlyphStyle.Radius = vg.Points(2.5)
			p.Add(sc)
			p.Legend.Add(s.Name, sc)
		}
		if len(s.Anomalies) > 0 {
			var an plotter.XYs
			for _, j := range s.Anomalies {
				if j < len(s.Y) && !math.IsNaN(s.Y[j]) {
					an = append(an, plotter.XY{X: ch.x(s.X[j]), Y: s.Y[j]})
				}
			}
			sc, err := plotter.NewScatter(an)
			if err != nil {
				return err
			}
			sc.GlyphStyle.Color = color.RGBA{R: 220, A: 255}
			sc.GlyphStyle.Shape = draw.RingGlyph{}
			sc.GlyphStyle.Radius = vg.Points(5)
			p.Add(sc)
			if i == 0 {
				p.Legend.Add("anomalies", sc)
			}
		}
	}
	p.Add(plotter.NewGrid())
	return nil
}

// stackMode reports how areas and bars stack: "stacked", "stacked100" or
// "unstacked". Kusto's default stacks areas and leaves bars side by side.
func stackMode(ch *Chart) string {
	switch ch.Info.Mode {
	case "stacked", "stacked100", "unstacked":
		return ch.Info.Mode
	}
	if ch.Info.Kind == "areachart" || ch.Info.Kind == "stackedareachart" {
		return "stacked"
	}
	return "unstacked"
}

// aligned returns the union of the series' x values and each series' y at
// them (0 when missing).
func aligned(series []*Series) ([]float64, [][]float64) {
	set := map[float64]bool{}
	for _, s := range series {
		for _, x := range s.X {
			set[x] = true
		}
	}
	xs := make([]float64, 0, len(set))
	for x := range set {
		xs = append(xs, x)
	}
	sort.Float64s(xs)
	pos := make(map[float64]int, len(xs))
	for i, x := range xs {
		pos[x] = i
	}
	ys := make([][]float64, len(series))
	for i, s := range series {
		ys[i] = make([]float64, len(xs))
		for j, x := range s.X {
			if v := s.Y[j]; !math.IsNaN(v) {
				ys[i][pos[x]] += v
			}
		}
	}
	return xs, ys
}

func stack(ys [][]float64, mode string) [][]float64 {
	out := make([][]float64, len(ys))
	if len(ys) == 0 {
		return out
	}
	n := len(ys[0])
	total := make([]float64, n)
	if mode == "stacked100" {
		for _, y := range ys {
			for j, v := range y {
				total[j] += v
			}
		}
	}
	acc := make([]float64, n)
	for i, y := range ys {
		out[i] = make([]float64, n)
		for j, v := range y {
			if mode == "stacked100" {
				if total[j] != 0 {
					v = v / total[j] * 100
				} else {
					v = 0
				}
			}
			if mode != "unstacked" {
				acc[j] += v
				v = acc[j]
			}
			out[i][j] = v
		}
	}
	return out
}

func drawAreas(p *plot.Plot, ch *Chart, series []*Series) error {
	setTimeAxis(p, ch)
	if ch.XKind == types.String {
		p.NominalX(ch.Categories...)
	}
	mode := stackMode(ch)
	xs, ys := aligned(series)
	tops := stack(ys, mode)
	// draw the highest stack first so lower ones stay visible
	for i := len(series) - 1; i >= 0; i-- {
		var poly plotter.XYs
		for j, x := range xs {
			poly = append(poly, plotter.XY{X: ch.x(x), Y: tops[i][j]})
		}
		for j := len(xs) - 1; j >= 0; j-- {
			base := 0.0
			if mode != "unstacked" && i > 0 {
				base = tops[i-1][j]
			}
			poly = append(poly, plotter.XY{X: ch.x(xs[j]), Y: base})
		}
		if len(poly) < 3 {
			continue
		}
		pg, err := plotter.NewPolygon(poly)
		if err != nil {
			return err
		}
		c := plotutil.Color(i)
		r, g, b, _ := c.RGBA()
		pg.Color = color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: 200}
		pg.LineStyle.Width = vg.Points(0.5)
		pg.LineStyle.Color = c
		p.Add(pg)
	}
	for i, s := range series {
		pg, _ := plotter.NewPolygon(plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 0}, {X: 1, Y: 1}})
		c := plotutil.Color(i)
		pg.Color = c
		p.Legend.Add(s.Name, pg)
	}
	p.Add(plotter.NewGrid())
	return nil
}

func drawBars(p *plot.Plot, ch *Chart, series []*Series) error {
	horizontal := ch.Info.Kind == "barchart"
	mode := stackMode(ch)
	xs, ys := aligned(series)
	var labels []string
	if ch.XKind == types.String {
		for _, x := range xs {
			labels = append(labels, ch.Categories[int(x)])
		}
	} else {
		for _, x := range xs {
			if ch.timeX() {
				labels = append(labels, types.FormatValue(types.DateTime, int64(x)))
			} else {
				labels = append(labels, fmtNum(x))
			}
		}
	}
	if mode == "stacked100" {
		ys = percent(ys)
	}
	width := vg.Points(math.Max(4, math.Min(40, 600/float64(max(1, len(xs))))))
	if mode == "unstacked" && len(series) > 1 {
		width = vg.Length(float64(width) / float64(len(series)))
	}
	var prev *plotter.BarChart
	for i, s := range series {
		bc, err := plotter.NewBarChart(plotter.Values(ys[i]), width)
		if err != nil {
			return err
		}
		bc.Color = plotutil.Color(i)
		bc.LineStyle.Width = 0
		bc.Horizontal = horizontal
		if mode == "unstacked" {
			bc.Offset = vg.Length((float64(i) - float64(len(series)-1)/2) * float64(width))
		} else if prev != nil {
			bc.StackOn(prev)
		}
		prev = bc
		p.Add(bc)
		p.Legend.Add(s.Name, bc)
	}
	if horizontal {
		p.NominalY(labels...)
	} else {
		p.NominalX(labels...)
		if len(labels) > 12 {
			p.X.Tick.Label.Rotation = math.Pi / 2.5
			p.X.Tick.Label.XAlign = draw.XRight
		}
	}
	return nil
}

func percent(ys [][]float64) [][]float64 {
	if len(ys) == 0 {
		return ys
	}
	total := make([]float64, len(ys[0]))
	for _, y := range ys {
		for j, v := range y {
			total[j] += v
		}
	}
	out := make([][]float64, len(ys))
	for i, y := range ys {
		out[i] = make([]float64, len(y))
		for j, v := range y {
			if total[j] != 0 {
				out[i][j] = v / total[j] * 100
			}
		}
	}
	return out
}

// pie draws slices of the first series (one per category).
type pie struct {
	labels []string
	vals   []float64
}

func drawPie(p *plot.Plot, ch *Chart, series []*Series) error {
	if len(series) == 0 {
		return fmt.Errorf("render piechart: no values")
	}
	pc := &pie{}
	s := series[0]
	for i, v := range s.Y {
		if math.IsNaN(v) || v <= 0 {
			continue
		}
		label := s.Name
		if ch.XKind == types.String && int(s.X[i]) < len(ch.Categories) {
			label = ch.Categories[int(s.X[i])]
		} else if ch.XKind != types.String {
			label = fmtNum(s.X[i])
		}
		pc.labels = append(pc.labels, label)
		pc.vals = append(pc.vals, v)
	}
	if ch.XKind == types.String && len(series) > 1 {
		// one series per key, one category each: a slice per series
		pc = &pie{}
		for _, s := range series {
			sum := 0.0
			for _, v := range s.Y {
				if !math.IsNaN(v) && v > 0 {
					sum += v
				}
			}
			if sum > 0 {
				pc.labels = append(pc.labels, s.Name)
				pc.vals = append(pc.vals, sum)
			}
		}
	}
	p.HideAxes()
	p.Add(pc)
	total := 0.0
	for _, v := range pc.vals {
		total += v
	}
	for i, l := range pc.labels {
		p.Legend.Add(fmt.Sprintf("%s (%.1f%%)", l, pc.vals[i]/total*100), swatchThumb{plotutil.Color(i)})
	}
	return nil
}

type swatchThumb struct{ c color.Color }

func (s swatchThumb) Thumbnail(c *draw.Canvas) {
	c.FillPolygon(s.c, c.ClipPolygonY([]vg.Point{
		{X: c.Min.X, Y: c.Min.Y}, {X: c.Max.X, Y: c.Min.Y}, {X: c.Max.X, Y: c.Max.Y}, {X: c.Min.X, Y: c.Max.Y},
	}))
}

// Plot implements plot.Plotter.
func (pc *pie) Plot(c draw.Canvas, plt *plot.Plot) {
	total := 0.0
	for _, v := range pc.vals {
		total += v
	}
	if total == 0 {
		return
	}
	cx := (c.Min.X + c.Max.X) / 2
	cy := (c.Min.Y + c.Max.Y) / 2
	r := vg.Length(math.Min(float64(c.Max.X-c.Min.X), float64(c.Max.Y-c.Min.Y)) / 2 * 0.9)
	a := math.Pi / 2
	for i, v := range pc.vals {
		sweep := v / total * 2 * math.Pi
		pts := []vg.Point{{X: cx, Y: cy}}
		steps := max(2, int(sweep/(math.Pi/90)))
		for k := 0; k <= steps; k++ {
			t := a - sweep*float64(k)/float64(steps)
			pts = append(pts, vg.Point{X: cx + r*vg.Length(math.Cos(t)), Y: cy + r*vg.Length(math.Sin(t))})
		}
		c.FillPolygon(plotutil.Color(i), pts)
		a -= sweep
	}
}
