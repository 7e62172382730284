package account

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime"
	"strings"

	"github.com/logindoctor/logindoctor/checks"
)

// maxSecretFile bounds account.token_file.
const maxSecretFile = 64 << 10

// ErrSecretFile is wrapped by every account.token_file problem.
var ErrSecretFile = errors.New("account.token_file")

// TokenEnvName is the variable account.token_env names, or DefaultTokenEnv.
func TokenEnvName(cfg checks.AccountConfig) string {
	if name := strings.TrimSpace(cfg.TokenEnv); name != "" {
		return name
	}
	return DefaultTokenEnv
}

// ReadSecret is the one reader of the account secret (an API token or a
// directory service account's password): the environment variable
// account.token_env names, else account.token_file, which must be a
// regular file readable by its owner only. An empty result with a nil
// error means none is set. Errors name the file, never its content.
func ReadSecret(getenv func(string) string, cfg checks.AccountConfig) (string, error) {
	if getenv != nil {
		if v := strings.TrimSpace(getenv(TokenEnvName(cfg))); v != "" {
			return v, nil
		}
	}
	if cfg.TokenFile == "" {
		return "", nil
	}
	return readSecretFile(cfg.TokenFile)
}

func readSecretFile(path string) (string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("%w: cannot read it: %w", ErrSecretFile, unwrapPath(err))
	}
	if !st.Mode().IsRegular() {
		return "", fmt.Errorf("%w: %s is not a regular file", ErrSecretFile, path)
	}
	if st.Mode().Perm()&0o077 != 0 && runtime.GOOS != "windows" {
		return "", fmt.Errorf("%w: %s is readable by other users (mode %o): run chmod 600 %s", ErrSecretFile, path, st.Mode().Perm(), path)
	}
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("%w: cannot read it: %w", ErrSecretFile, unwrapPath(err))
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxSecretFile+1))
	if err != nil || len(data) > maxSecretFile {
		return "", fmt.Errorf("%w: cannot read %s (at most %d KiB)", ErrSecretFile, path, maxSecretFile>>10)
	}
	return strings.TrimSpace(string(data)), nil
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
