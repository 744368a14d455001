package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/user"
	"time"

	"github.com/vigilsec/vigil/internal/auth"
	"github.com/vigilsec/vigil/internal/config"
	"github.com/vigilsec/vigil/internal/server"
)

func runToken(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return usageError{"usage: vigil token create --data DIR --role ROLE [--name NAME] [--expires DURATION]"}
	}
	fs := flag.NewFlagSet("token create", flag.ContinueOnError)
	data := fs.String("data", os.Getenv("VIGIL_DATA_DIR"), "data dir of the server (env VIGIL_DATA_DIR)")
	role := fs.String("role", "", "role of the token: "+fmt.Sprint(auth.Roles()))
	name := fs.String("name", "", "a name saying what the token is for (default: cli-<time>)")
	expires := fs.String("expires", "", "lifetime, e.g. 90d or 12h (default: never)")
	if err := parseFlags(fs, args[1:], stderr); err != nil {
		return err
	}
	if *data == "" {
		return usageError{"--data is required"}
	}
	if *role == "" {
		return usageError{"--role is required: one of " + fmt.Sprint(auth.Roles())}
	}
	var expiresAt time.Time
	if *expires != "" {
		d, err := config.ParseDuration(*expires)
		if err != nil || d <= 0 {
			return usageError{"--expires must be a positive duration such as 90d or 12h"}
		}
		expiresAt = time.Now().Add(d)
	}
	if *name == "" {
		*name = "cli-" + time.Now().UTC().Format("20060102T150405Z")
	}
	if fi, err := os.Stat(server.StatePath(*data)); err != nil || fi.IsDir() {
		return fmt.Errorf("no Vigil state store in %s (start 'vigil serve --data %s' once first)", *data, *data)
	}
	st, err := server.OpenState(*data)
	if err != nil {
		return err
	}
	defer st.Close()
	svc := auth.NewService(st, auth.Options{})
	actor := auth.CLIPrincipal(osUser())
	text, _, err := svc.CreateToken(ctx, actor, *name, *role, expiresAt, "local", "")
	if err != nil {
		if errors.Is(err, auth.ErrInvalid) {
			return usageError{err.Error()}
		}
		return err
	}
	fmt.Fprintln(stdout, text)
	return nil
}

// osUser names the operator for the audit log: whoever can read the data
// dir is trusted as an administrator.
func osUser() string {
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return fmt.Sprintf("uid-%d", os.Getuid())
}
