package cmdutil

import (
	"errors"
	"fmt"
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
	v.SetConfigName("kairo")
	v.SetConfigType("toml")
	v.AddConfigPath(".")
	v.AddConfigPath("$HOME/.config/kairo")
	v.SetEnvPrefix("KAIRO")
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_", "-", "_"))
	v.AutomaticEnv()
	if err := v.ReadInConfig(); err != nil {
		var nf viper.ConfigFileNotFoundError
		if !errors.As(err, &nf) {
			return nil, fmt.Errorf("read config %s: %w", v.ConfigFileUsed(), err)
		}
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
