package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/pubsubctl/pubsubctl/internal/live"
	"github.com/pubsubctl/pubsubctl/internal/render"
	"github.com/pubsubctl/pubsubctl/internal/savedplan"
	"github.com/pubsubctl/pubsubctl/model"
	"github.com/pubsubctl/pubsubctl/plan"
)

// maxConfigsInFlight bounds how many configurations of one run (plan
// DIR... or apply DIR...) are worked on at once.
const maxConfigsInFlight = 4

// section is one configuration of a run over several directories.
type section struct {
	path string       // as given
	dir  string       // as shown
	out  bytes.Buffer // its stdout
	errs bytes.Buffer // its stderr: diagnostics, rate-limit notes
	plan *plan.Plan
	err  error
}

// code is the section's exit code.
func (s *section) code() int { return codeOf(s.err) }

// message is the section's error as the report prints it, or "".
func (s *section) message() string {
	var ee *exitError
	switch {
	case s.err == nil:
		return ""
	case errors.As(s.err, &ee) && ee.err == nil:
		return "" // an exit code only (changes present): not an error
	}
	return s.err.Error()
}

func codeOf(err error) int {
	var ee *exitError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &ee):
		return ee.code
	}
	return ExitError
}

// worst is the exit code of a run of several configurations: an error over
// changes present over success.
func worst(secs []*section) error {
	code := ExitOK
	for _, s := range secs {
		switch c := s.code(); {
		case c == ExitOK:
		case c == ExitChanges && code == ExitOK:
			code = ExitChanges
		case c != ExitChanges:
			code = ExitError
		}
	}
	if code == ExitOK {
		return nil
	}
	return exitCode(code)
}

// forEachConfig runs run for every path, at most maxConfigsInFlight at a
// time, each with a runContext of its own whose stdout and stderr are the
// section's buffers; the stderr of each is then written, in order, under
// its directory's name. Sensitive values a configuration's run learns
// reach this run's output filter too.
func (rc *runContext) forEachConfig(paths []string, run func(rc *runContext, s *section) error) []*section {
	secs := make([]*section, len(paths))
	limiters := &limiterSet{byProject: map[string]*live.Limiter{}}
	sem := make(chan struct{}, maxConfigsInFlight)
	var wg sync.WaitGroup
	for i, p := range paths {
		s := &section{path: p, dir: relDir(p)}
		secs[i] = s
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			out, errs := newRedactor(&s.out), newRedactor(&s.errs)
			sub := *rc
			sub.stdout, sub.stderr, sub.parent, sub.limiters = out, errs, rc, limiters
			s.err = run(&sub, s)
			out.Flush()
			errs.Flush()
		}()
	}
	wg.Wait()
	for _, s := range secs {
		if s.errs.Len() > 0 {
			fmt.Fprintf(rc.stderr, "── %s:\n%s", s.dir, s.errs.Bytes())
		}
	}
	return secs
}

// checkDistinct refuses, before anything is read, two paths (directories
// or saved plans) of the same stack in the same project: their plans would
// fight over the same resources.
func (rc *runContext) checkDistinct(paths []string) error {
	type key struct{ stack, project string }
	seen := map[key]string{}
	for _, p := range paths {
		var k key
		if info, err := os.Stat(p); err == nil && !info.IsDir() && !strings.HasSuffix(p, ".hcl") {
			sp, err := savedplan.Read(p) // a saved plan (apply FILE...)
			if err != nil {
				continue // the section reports it
			}
			k = key{sp.Plan.Stack, sp.Plan.Project}
		} else {
			quiet := *rc
			quiet.stdout, quiet.stderr, quiet.parent = io.Discard, io.Discard, rc
			res, _, err := quiet.load(p)
			if err != nil || res == nil || res.Config == nil {
				continue // the section reports it
			}
			k = key{res.Config.Stack, res.Config.Project}
		}
		if other, ok := seen[k]; ok {
			return &exitError{code: ExitUsage, err: fmt.Errorf("%s and %s are both stack %s in project %s: plan each stack once", relDir(other), relDir(p), k.stack, k.project)}
		}
		seen[k] = p
	}
	return nil
}

// runMany plans several configurations and prints one combined report.
func (c *PlanCmd) runMany(rc *runContext, format string, targets []model.Address) error {
	if len(targets) > 0 {
		return &exitError{code: ExitUsage, err: errors.New("--target takes one configuration: addresses belong to one configuration, and several directories were given")}
	}
	if err := rc.checkDistinct(c.Dirs); err != nil {
		return err
	}
	if c.Out != "" {
		if err := os.MkdirAll(c.Out, 0o700); err != nil {
			return fmt.Errorf("--out: with several directories it names a directory for their plans: %w", err)
		}
	}
	out := func(cfg *model.Config) string {
		if c.Out == "" {
			return ""
		}
		return filepath.Join(c.Out, cfg.Stack+"-"+cfg.Project+".plan")
	}
	secs := rc.forEachConfig(c.Dirs, func(rc *runContext, s *section) error {
		sectionFormat := format
		if format == "json" {
			sectionFormat = "none" // the combined JSON is made from the plans
		}
		rc.markdownBytes = render.SectionBytes(len(c.Dirs))
		var err error
		s.plan, err = c.planOne(rc, s.path, out, sectionFormat, nil)
		return err
	})
	if err := renderSections(rc, secs, format); err != nil {
		return err
	}
	return worst(secs)
}

func renderSections(rc *runContext, secs []*section, format string) error {
	rs := make([]render.Section, len(secs))
	for i, s := range secs {
		rs[i] = render.Section{Dir: s.dir, Plan: s.plan, Err: s.message(), Output: s.out.Bytes()}
	}
	switch format {
	case "json":
		return render.SectionsJSON(rc.stdout, rs)
	case "markdown":
		return render.SectionsMarkdown(rc.stdout, rs)
	}
	return render.SectionsHuman(rc.stdout, rs, render.Options{Color: rc.color(rc.stdout)})
}

// runMany applies several configurations (or saved plans) in one run,
// each with its own plan, guard and convergence check, and prints their
// outputs in order with a combined summary. It needs --auto-approve: one
// confirmation for several plans would be a confirmation of none.
func (c *ApplyCmd) runMany(rc *runContext) error {
	if !c.AutoApprove {
		return &exitError{code: ExitUsage, err: errors.New("applying several configurations needs --auto-approve; review them first with pubsubctl plan DIR...")}
	}
	if len(c.Target) > 0 {
		return &exitError{code: ExitUsage, err: errors.New("--target takes one configuration: addresses belong to one configuration, and several were given")}
	}
	if err := rc.checkDistinct(c.Paths); err != nil {
		return err
	}
	secs := rc.forEachConfig(c.Paths, func(rc *runContext, s *section) error {
		one := *c
		err := one.applyOne(rc, s.path)
		s.plan = rc.shown
		return err
	})
	if err := renderSections(rc, secs, "human"); err != nil {
		return err
	}
	return worst(secs)
}
