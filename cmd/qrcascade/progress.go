package main

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// progressBar draws "[#####.....] n/total  rate/s  ETA m:ss  read … no code …
// errors …" on one line of standard error. Results go to standard output
// only; when both are the same terminal, clear erases the bar before each
// result line and the next add draws it again below, so the two never mix.
// A nil *progressBar does nothing.
type progressBar struct {
	w                             io.Writer
	total, n, read, noCode, errs  int
	start, lastDraw               time.Time
	redrawEachLine, drawn, closed bool
	now                           func() time.Time
}

// newProgressBar returns a bar for total inputs on w; sharedTerminal says
// that the results are written to the same terminal.
func newProgressBar(w io.Writer, total int, sharedTerminal bool) *progressBar {
	b := &progressBar{w: w, total: total, redrawEachLine: sharedTerminal, now: time.Now}
	b.start = b.now()
	return b
}

// add counts one finished input and redraws (at most ten times a second,
// or after every result line when the bar was cleared for it).
func (b *progressBar) add(read, failed bool) {
	if b == nil {
		return
	}
	b.n++
	switch {
	case failed:
		b.errs++
	case read:
		b.read++
	default:
		b.noCode++
	}
	if !b.drawn || b.now().Sub(b.lastDraw) > 100*time.Millisecond || b.n == b.total {
		b.draw()
	}
}

// clear erases the bar when results share its terminal.
func (b *progressBar) clear() {
	if b == nil || !b.drawn || !b.redrawEachLine {
		return
	}
	fmt.Fprint(b.w, "\r\033[K")
	b.drawn = false
}

func (b *progressBar) draw() {
	b.lastDraw = b.now()
	fmt.Fprint(b.w, "\r\033[K"+b.line())
	b.drawn = true
}

// line is the bar's text.
func (b *progressBar) line() string {
	const width = 24
	fill := 0
	if b.total > 0 {
		fill = width * b.n / b.total
	}
	elapsed := b.now().Sub(b.start).Seconds()
	rate, eta := "", "ETA --:--"
	if elapsed > 0 && b.n > 0 {
		r := float64(b.n) / elapsed
		rate = fmt.Sprintf("  %.1f/s", r)
		eta = "ETA " + clock(time.Duration(float64(b.total-b.n)/r*float64(time.Second)))
	}
	if b.n == b.total {
		eta = "took " + clock(b.now().Sub(b.start))
	}
	return fmt.Sprintf("[%s%s] %d/%d%s  %s  read %d  no code %d  errors %d",
		strings.Repeat("#", fill), strings.Repeat(".", width-fill), b.n, b.total, rate, eta, b.read, b.noCode, b.errs)
}

// done draws the final state and ends the line.
func (b *progressBar) done() {
	if b == nil || b.closed {
		return
	}
	b.closed = true
	if !b.drawn || b.n < b.total {
		b.draw()
	}
	fmt.Fprintln(b.w)
}

// clock formats d as m:ss, or h:mm:ss past an hour.
func clock(d time.Duration) string {
	s := int(d.Round(time.Second).Seconds())
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}
