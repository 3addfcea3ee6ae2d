package progress

import (
	"errors"
	"fmt"
	"io"

	"github.com/moby/buildkit/util/progress/progressui"
)

// Mode is a display mode, as the --progress flag names it.
type Mode string

// The display modes. They are BuildKit's own.
const (
	// ModeAuto is ModeTTY on a terminal and ModePlain elsewhere.
	ModeAuto Mode = "auto"
	// ModeTTY redraws the steps in place; off a terminal it falls back to
	// ModePlain.
	ModeTTY Mode = "tty"
	// ModePlain prints numbered lines, one vertex at a time.
	ModePlain Mode = "plain"
	// ModeRawJSON prints every status as one JSON line.
	ModeRawJSON Mode = "rawjson"
	// ModeQuiet prints nothing.
	ModeQuiet Mode = "quiet"
)

// ErrUnknownMode is what ParseMode returns, wrapped, for a name that is not a
// mode.
var ErrUnknownMode = errors.New("unknown progress mode")

// ParseMode returns the mode named s; "" is ModeAuto.
func ParseMode(s string) (Mode, error) {
	switch m := Mode(s); m {
	case "":
		return ModeAuto, nil
	case ModeAuto, ModeTTY, ModePlain, ModeRawJSON, ModeQuiet:
		return m, nil
	}
	return "", fmt.Errorf("%w %q: want auto, tty, plain, rawjson or quiet", ErrUnknownMode, s)
}

// newDisplay opens BuildKit's display for mode on out. A tty mode on
// something that is not a terminal falls back to plain lines, so that
// "--progress tty" into a pipe or a file still shows the run.
func newDisplay(out io.Writer, mode Mode) (progressui.Display, error) {
	m, err := ParseMode(string(mode))
	if err != nil {
		return progressui.Display{}, err
	}
	d, err := progressui.NewDisplay(out, progressui.DisplayMode(m))
	if err != nil && m == ModeTTY {
		return progressui.NewDisplay(out, progressui.PlainMode)
	}
	return d, err
}
