package chart

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

var ticks = []rune("▁▂▃▄▅▆▇█")

// Sparkline renders ys as at most width block characters (buckets keep
// their maximum; missing values are spaces).
func Sparkline(ys []float64, width int) string {
	if len(ys) == 0 {
		return ""
	}
	if width <= 0 {
		width = 60
	}
	vals := ys
	if len(ys) > width {
		vals = make([]float64, width)
		for i := range vals {
			lo, hi := i*len(ys)/width, (i+1)*len(ys)/width
			m := math.NaN()
			for _, v := range ys[lo:hi] {
				if !math.IsNaN(v) && (math.IsNaN(m) || v > m) {
					m = v
				}
			}
			vals[i] = m
		}
	}
	lo, hi := minMax(vals)
	var b strings.Builder
	for _, v := range vals {
		switch {
		case math.IsNaN(v):
			b.WriteByte(' ')
		case hi == lo:
			if v == 0 {
				b.WriteRune(ticks[0])
			} else {
				b.WriteRune(ticks[len(ticks)/2])
			}
		default:
			i := int(math.Round((v - lo) / (hi - lo) * float64(len(ticks)-1)))
			b.WriteRune(ticks[i])
		}
	}
	return b.String()
}

func minMax(ys []float64) (lo, hi float64) {
	lo, hi = math.NaN(), math.NaN()
	for _, v := range ys {
		if math.IsNaN(v) {
			continue
		}
		if math.IsNaN(lo) || v < lo {
			lo = v
		}
		if math.IsNaN(hi) || v > hi {
			hi = v
		}
	}
	return lo, hi
}

func fmtNum(v float64) string {
	if math.IsNaN(v) {
		return "-"
	}
	return strconv.FormatFloat(v, 'g', 6, 64)
}

// Text renders the chart for a terminal: a title line, then one line per
// series: its name, the sparkline, min, max and the anomaly count.
func Text(ch *Chart, width int) string {
	var b strings.Builder
	title := ch.Info.Kind
	if ch.Info.Title != "" {
		title += ": " + ch.Info.Title
	}
	b.WriteString(title + "\n")
	nameW := 0
	for _, s := range ch.Series {
		nameW = max(nameW, utf8.RuneCountInString(s.Name))
	}
	nameW = min(nameW, 40)
	const maxSeries = 50
	for i, s := range ch.Series {
		if i == maxSeries {
			fmt.Fprintf(&b, "  … %d more series\n", len(ch.Series)-maxSeries)
			break
		}
		name := s.Name
		if utf8.RuneCountInString(name) > nameW {
			name = string([]rune(name)[:nameW-1]) + "…"
		}
		lo, hi := minMax(s.Y)
		fmt.Fprintf(&b, "  %-*s %s  min %s max %s", nameW, name, Sparkline(s.Y, width), fmtNum(lo), fmtNum(hi))
		if len(s.Anomalies) > 0 {
			fmt.Fprintf(&b, " anomalies %d", len(s.Anomalies))
		}
		b.WriteByte('\n')
	}
	return b.String()
}
