package progress

import (
	"errors"
	"testing"
)

func TestParseMode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    Mode
		wantErr string
	}{
		{in: "", want: ModeAuto},
		{in: "auto", want: ModeAuto},
		{in: "tty", want: ModeTTY},
		{in: "plain", want: ModePlain},
		{in: "rawjson", want: ModeRawJSON},
		{in: "quiet", want: ModeQuiet},
		{in: "fancy", wantErr: `unknown progress mode "fancy": want auto, tty, plain, rawjson or quiet`},
		{in: "TTY", wantErr: `unknown progress mode "TTY": want auto, tty, plain, rawjson or quiet`},
		{in: "json", wantErr: `unknown progress mode "json": want auto, tty, plain, rawjson or quiet`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := ParseMode(tt.in)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr || !errors.Is(err, ErrUnknownMode) {
					t.Errorf("ParseMode(%q) = %q, %v, want error %q wrapping ErrUnknownMode", tt.in, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("ParseMode(%q) = %q, %v, want %q", tt.in, got, err, tt.want)
			}
		})
	}
}
