package cmdutil

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"
)

// Factory carries what commands are built with: streams and configuration.
type Factory struct {
	IO     *IOStreams
	Config *viper.Viper
}

// NewFactory returns a factory over the given streams with configuration read
// from kairo.toml (working directory, then $HOME/.config/kairo) and KAIRO_*
// environment variables (KAIRO_DEVNET_DB sets devnet.db).
func NewFactory(io *IOStreams) (*Factory, error) {
	v := viper.New()
	v.SetConfigType("toml")
	v.SetEnvPrefix("KAIRO")
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_", "-", "_"))
	v.AutomaticEnv()
	candidates := []string{"kairo.toml"}
	if home, err := os.UserHomeDir(); err == nil {
		candidates = append(candidates, filepath.Join(home, ".config", "kairo", "kairo.toml"))
	}
	for _, path := range candidates {
		if _, err := os.Stat(path); err != nil {
			continue
		}
		v.SetConfigFile(path)
		if err := v.ReadInConfig(); err != nil {
			return nil, fmt.Errorf("read config %s: %w", path, err)
		}
		break
	}
	return &Factory{IO: io, Config: v}, nil
}

// NormalizeUnderscores lets every flag be spelled with dashes or underscores
// (`--print_output` and `--print-output`); flags are registered with
// underscores.
func NormalizeUnderscores(_ *pflag.FlagSet, name string) pflag.NormalizedName {
	return pflag.NormalizedName(strings.ReplaceAll(name, "-", "_"))
}

// ExitError is returned by a command that has already reported its failure
// and wants a specific exit code.
type ExitError struct{ Code int }

func (e *ExitError) Error() string { return fmt.Sprintf("exit status %d", e.Code) }
