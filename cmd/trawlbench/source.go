package main

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// goBuild builds the package pkg (such as ./cmd/trawl) of the module in
// src into out.
func goBuild(ctx context.Context, src, pkg, out string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, pkg)
	cmd.Dir = src
	cmd.Env = os.Environ()
	if msg, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("build %s in %s: %w: %s", pkg, src, err, clip(string(msg)))
	}
	return nil
}

// extractRevision writes the tree of a git revision of repo into dir, so
// that a committed trawl can be measured while the checkout has
// uncommitted edits. It returns the revision's short hash.
func extractRevision(ctx context.Context, repo, rev, dir string) (string, error) {
	hash, err := exec.CommandContext(ctx, "git", "-C", repo, "rev-parse", "--short", rev+"^{commit}").Output()
	if err != nil {
		return "", fmt.Errorf("-rev %s: not a commit in %s", rev, repo)
	}
	cmd := exec.CommandContext(ctx, "git", "-C", repo, "archive", "--format=tar", rev)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", fmt.Errorf("git archive: %w", err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return "", fmt.Errorf("git archive: %w", err)
	}
	uerr := untar(out, dir)
	io.Copy(io.Discard, out)
	if err := cmd.Wait(); err != nil {
		return "", fmt.Errorf("git archive %s: %w: %s", rev, err, clip(stderr.String()))
	}
	if uerr != nil {
		return "", fmt.Errorf("unpack %s: %w", rev, uerr)
	}
	return strings.TrimSpace(string(hash)), nil
}

// untar unpacks regular files, directories and symlinks under dir,
// refusing any name that would land outside it.
func untar(r io.Reader, dir string) error {
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if !filepath.IsLocal(h.Name) {
			return fmt.Errorf("archive entry %q is outside the tree", h.Name)
		}
		path := filepath.Join(dir, h.Name)
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(path, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				return err
			}
			f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, os.FileMode(h.Mode)&0o777|0o600)
			if err != nil {
				return err
			}
			_, err = io.Copy(f, tr)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
		case tar.TypeSymlink:
			if err := os.Symlink(h.Linkname, path); err != nil {
				return err
			}
		}
	}
}
