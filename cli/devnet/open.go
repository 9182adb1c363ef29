package devnet

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kairo-dev/kairo/cli/cmdutil"
	"github.com/kairo-dev/kairo/sequencer/devnet"
	"github.com/kairo-dev/kairo/store/sqlite"
)

// session is an opened devnet and the store under it.
type session struct {
	path  string
	store *sqlite.Store
	net   *devnet.Devnet
}

func (s *session) Close() error { return s.store.Close() }

// Options returns the devnet options from the configuration:
// devnet.timestamp (KAIRO_DEVNET_TIMESTAMP) pins block timestamps to a
// Unix time, for reproducible chains. kairo block uses it too.
func Options(f *cmdutil.Factory) (devnet.Options, error) {
	var opts devnet.Options
	if f.Config == nil || !f.Config.IsSet("devnet.timestamp") {
		return opts, nil
	}
	raw := strings.TrimSpace(f.Config.GetString("devnet.timestamp"))
	v, err := devnet.ParseFelt("devnet.timestamp", raw)
	if err != nil {
		return opts, err
	}
	ts, ok := v.Uint64()
	if !ok || ts > 1<<62 {
		return opts, fmt.Errorf("devnet.timestamp: %s is not a Unix time", raw)
	}
	t := time.Unix(int64(ts), 0)
	opts.Now = func() time.Time { return t }
	return opts, nil
}

// openDevnet opens the devnet of the command's database; readOnly for
// the commands that only read.
func openDevnet(f *cmdutil.Factory, cmd *cobra.Command, readOnly bool) (*session, error) {
	path, err := DBPath(f, cmd)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s does not exist: create it with kairo devnet init --db %s", path, path)
	}
	opts, err := Options(f)
	if err != nil {
		return nil, err
	}
	s, err := sqlite.Open(cmd.Context(), path, sqlite.Options{ReadOnly: readOnly})
	if err != nil {
		return nil, err
	}
	net, err := devnet.Open(cmd.Context(), s, opts)
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &session{path: path, store: s, net: net}, nil
}

// addJSONFlag registers --json.
func addJSONFlag(cmd *cobra.Command, v *bool) {
	cmd.Flags().BoolVar(v, "json", false, "print JSON instead of text")
}

// printJSON writes v as indented JSON.
func printJSON(f *cmdutil.Factory, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(f.IO.Out, "%s\n", b)
	return err
}

// reportRejection prints the full Cairo error of a rejected transaction or
// call on the error stream; the one-line error follows from the caller.
func reportRejection(f *cmdutil.Factory, err error) error {
	var re *devnet.RejectedError
	if errors.As(err, &re) && strings.Contains(re.Message, "\n") {
		st := f.IO.Styles()
		for _, line := range strings.Split(re.Message, "\n") {
			fmt.Fprintln(f.IO.ErrOut, st.Muted.Render("  "+line))
		}
	}
	return err
}
