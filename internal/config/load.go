package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"

	"github.com/pubsubctl/pubsubctl/iam"
	"github.com/pubsubctl/pubsubctl/internal/safefile"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"

	"github.com/pubsubctl/pubsubctl/model"
)

// Options says what to load and which outside values to use.
type Options struct {
	// Dir is the configuration: a directory whose *.hcl files are read
	// together (sorted by name, subdirectories ignored), or the path of a
	// single .hcl file that is the whole configuration (file() paths are
	// then relative to the file's directory).
	Dir      string
	Vars     map[string]string // --var NAME=VALUE (values parsed as HCL expressions when the variable's type is not string, e.g. lists/maps/numbers/bools; plain text for string)
	VarFiles []string          // --var-file FILE (HCL attribute files, like .tfvars), later files win
	Env      []string          // os.Environ()-style; PUBSUBCTL_VAR_<name> and PUBSUBCTL_PROJECT, GOOGLE_CLOUD_PROJECT are read from here (never from os.Getenv directly)
	Project  string            // --project override (highest precedence)
}

// Result is a loaded configuration.
type Result struct {
	Config    *model.Config
	Defaults  *model.Defaults
	Files     map[string]*hcl.File // filename -> parsed file, for diagnostic snippets
	Variables []Variable           // name, value (cty.Value), sensitive, source (default/var-file/env/flag)
	Outputs   []model.Output       // output blocks, evaluated (see decodeOutputs)

	secrets  []string // see Secrets
	redactor *strings.Replacer
}

// VariableSource says where a variable's value came from.
type VariableSource string

// Sources of variable values, lowest precedence first.
const (
	SourceDefault VariableSource = "default"
	SourceVarFile VariableSource = "var-file"
	SourceEnv     VariableSource = "env"
	SourceFlag    VariableSource = "flag"
)

// Variable is a declared input variable and its final value.
type Variable struct {
	Name        string
	Type        cty.Type // cty.DynamicPseudoType when the type is any
	Value       cty.Value
	Description string
	// Sensitive variables must not be printed; their values are never
	// shown in diagnostics produced by this package.
	Sensitive bool
	Source    VariableSource
	// SourceName is the var-file name, environment variable name or
	// "--var NAME" that supplied the value; empty for defaults.
	SourceName string
	DeclRange  hcl.Range
}

// Environment variable names Load reads from Options.Env.
const (
	EnvVarPrefix      = "PUBSUBCTL_VAR_"
	EnvProject        = "PUBSUBCTL_PROJECT"
	EnvGoogleProject  = "GOOGLE_CLOUD_PROJECT"
	internalErrorText = "Internal error while loading the configuration"
)

// Placeholders used when the pubsubctl block is missing, so that the rest
// of the configuration is still checked (the missing block is an error,
// so they never reach Pub/Sub).
const (
	placeholderProject = "placeholder-project"
	placeholderStack   = "placeholder"
)

// Load parses and evaluates a configuration, checks references, applies
// defaults (model.ApplyDefaults) and runs model.Validate, returning all
// diagnostics. Result is non-nil whenever parsing got far enough (Files are
// always returned when any file was read, so diagnostics can be printed
// with snippets). Validation runs only when decoding found no errors, so
// that one mistake is not reported twice.
func Load(opts Options) (res *Result, diags hcl.Diagnostics) {
	l := newLoader(opts)
	defer func() {
		if r := recover(); r != nil {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  internalErrorText,
				Detail:   fmt.Sprintf("pubsubctl failed unexpectedly: %v. Please report this as a bug.\n\n%s", r, debug.Stack()),
				Subject:  l.fallbackRange().Ptr(),
			})
			if res == nil && len(l.files) > 0 {
				res = &Result{Files: l.files}
			}
		}
	}()
	res = l.load()
	diags = dedupe(l.diags)
	for _, d := range diags {
		fixLimitDiag(d)
	}
	l.redactDiagnostics(diags, res)
	for _, d := range diags {
		if d.Subject == nil {
			r := l.fallbackRange()
			if l.pubsubctl != nil {
				r = l.pubsubctl.TypeRange
			}
			d.Subject = &r
		}
	}
	return res, diags
}

type evalState int

const (
	unvisited evalState = iota
	visiting
	done
)

// loader holds the state of one Load call.
type loader struct {
	opts   Options
	dir    string // the configuration directory (the file's directory in single-file mode)
	single string // in single-file mode, the file's base name
	env    map[string]string
	funcs  map[string]function.Function
	parser *hclparse.Parser
	files  map[string]*hcl.File
	first  string // first configuration file, for sourceless problems
	diags  hcl.Diagnostics

	pubsubctl *hclsyntax.Block
	defaults  *hclsyntax.Block
	bad       map[*hclsyntax.Block]bool // malformed blocks, already reported

	vars     map[string]*variable
	varOrder []*variable
	varObj   cty.Value

	locals     map[string]*localNode
	localOrder []*localNode

	resources map[model.Kind]map[string]*resourceNode
	resOrder  []*resourceNode

	projectState evalState
	project      string
	projectOK    bool
	projectRange *hcl.Range // the pubsubctl block's project, when it was used

	stack []string         // nodes being evaluated, for cycle messages
	base  *hcl.EvalContext // full context, once every name is resolved

	tokens        int    // tokens of all files read so far (MaxConfigTokens)
	budget        budget // evaluation budget (MaxForIterations, MaxBuiltBytes, templates)
	decoded       int64  // bytes of strings decoded into resources (MaxDecodedBytes)
	decodedOver   bool   // MaxDecodedBytes was reported
	kindCount     map[model.Kind]int
	placeholder   bool // the pubsubctl block is missing: placeholder project and stack
	varFileFailed bool // a --var-file could not be read or parsed
	missingBlock  *hcl.Diagnostic
	secrets       []string // values derived from sensitive variables, see Result.Secrets

	sensitiveRanges map[hcl.Range]bool // expressions with sensitive values

	memo     map[hcl.Expression]memoValue // see eval
	eachMemo map[hcl.Expression]bool
	sensMemo map[hcl.Expression]bool

	// forEachEnumerations counts forEachInstances calls (see
	// forEachInstancesOf), for a test.
	forEachEnumerations int
}

func newLoader(opts Options) *loader {
	dir := opts.Dir
	if dir == "" {
		dir = "."
	}
	single := ""
	if fi, err := os.Stat(dir); err == nil && fi.Mode().IsRegular() {
		dir, single = filepath.Dir(dir), filepath.Base(dir)
	}
	l := &loader{
		single:    single,
		opts:      opts,
		dir:       dir,
		env:       map[string]string{},
		parser:    hclparse.NewParser(),
		files:     map[string]*hcl.File{},
		bad:       map[*hclsyntax.Block]bool{},
		vars:      map[string]*variable{},
		locals:    map[string]*localNode{},
		resources: map[model.Kind]map[string]*resourceNode{},
		kindCount: map[model.Kind]int{},
	}
	l.funcs = l.internalFunctions()
	for name, f := range functions(dir) {
		l.funcs[name] = l.guardFunction(name, f)
	}
	for _, kv := range opts.Env {
		if k, v, ok := strings.Cut(kv, "="); ok {
			l.env[k] = v
		}
	}
	for _, k := range []model.Kind{model.KindSchema, model.KindTopic, model.KindSubscription} {
		l.resources[k] = map[string]*resourceNode{}
	}
	return l
}

func (l *loader) add(d *hcl.Diagnostic) { l.diags = append(l.diags, d) }

func (l *loader) addAll(ds hcl.Diagnostics) { l.diags = append(l.diags, ds...) }

func (l *loader) errorf(rng hcl.Range, summary, format string, args ...any) {
	l.add(&hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  summary,
		Detail:   fmt.Sprintf(format, args...),
		Subject:  rng.Ptr(),
	})
}

// fallbackRange is where problems without a source location are reported:
// the start of the first configuration file, or the directory itself.
func (l *loader) fallbackRange() hcl.Range {
	if l.first != "" {
		return hcl.Range{Filename: l.first, Start: hcl.InitialPos, End: hcl.InitialPos}
	}
	return hcl.Range{Filename: l.dir, Start: hcl.InitialPos, End: hcl.InitialPos}
}

func (l *loader) load() *Result {
	bodies := l.parseFiles()
	if bodies == nil {
		if len(l.files) == 0 {
			return nil
		}
		return &Result{Files: l.files}
	}
	res := &Result{Files: l.files}

	// Structure: unknown arguments and blocks, labels, required arguments.
	var blocks []*hclsyntax.Block
	for _, body := range bodies {
		ds, bad := checkBody(body, rootSpec, hcl.Range{}, "the configuration")
		l.addAll(ds)
		for b := range bad {
			l.bad[b] = true
		}
		for _, b := range body.Blocks {
			if !bad[b] {
				blocks = append(blocks, b)
			}
		}
	}
	var pubsubctlBlocks []*hclsyntax.Block
	for _, b := range blocks {
		switch b.Type {
		case "pubsubctl":
			pubsubctlBlocks = append(pubsubctlBlocks, b)
		case "defaults":
			if l.defaults != nil {
				l.errorf(b.TypeRange, "Duplicate defaults block",
					"A configuration has at most one defaults block; another was declared at %s.", rangeString(l.defaults.TypeRange))
				continue
			}
			l.defaults = b
		case "variable":
			l.declareVariable(b)
		case "locals":
			l.declareLocals(b)
		case "topic", "subscription", "schema":
			l.declareResource(b)
		}
	}
	switch len(pubsubctlBlocks) {
	case 0:
		// One error, then everything else is checked as if the block
		// named a placeholder project and stack, so that all problems
		// show at once.
		l.errorf(l.fallbackRange(), "Missing pubsubctl block",
			"A configuration needs exactly one pubsubctl block naming its stack, e.g.\n\n  pubsubctl {\n    project = \"my-project\"\n    stack   = \"shop\"\n  }\n\nThe rest of the configuration was checked with a placeholder project and stack.")
		l.missingBlock = l.diags[len(l.diags)-1]
		l.placeholder = true
	default:
		l.pubsubctl = pubsubctlBlocks[0]
		for _, b := range pubsubctlBlocks[1:] {
			l.errorf(b.TypeRange, "Duplicate pubsubctl block",
				"A configuration has exactly one pubsubctl block; another was declared at %s.", rangeString(l.pubsubctl.TypeRange))
		}
	}

	// Values: variables, then (lazily, in dependency order) the project,
	// locals and resource names.
	l.resolveVariables()
	res.Variables = l.variables()
	l.resolveProject(l.fallbackRange())
	for _, n := range l.resOrder {
		l.resolveResource(n, n.block.DefRange())
	}
	for _, n := range l.localOrder {
		l.resolveLocal(n, n.attr.NameRange)
	}
	l.base = l.baseContext()

	cfg := &model.Config{Project: l.project}
	l.decodePubsubctl(cfg)
	defaults := l.decodeDefaults()
	for _, n := range l.resOrder {
		l.decodeResource(cfg, n)
	}
	l.countDefaults(cfg, defaults)
	decodeFailed := l.hasErrorsBesidesMissingBlock()
	model.ApplyDefaults(cfg, defaults)
	if cfg.ProjectNumber != "" {
		iam.AddDeadLetterGrants(cfg, cfg.ProjectNumber)
	}
	copyDefaultRanges(cfg, defaults)
	if !decodeFailed {
		l.addAll(validateModel(cfg))
		l.addAll(l.checkSchemaDefinitions(cfg))
		l.addAll(l.checkUDFs(cfg))
	}
	res.Config = cfg
	res.Defaults = defaults
	res.secrets = l.collectSecrets(cfg)
	l.decodeOutputs(blocks, res)
	return res
}

// hasErrorsBesidesMissingBlock reports whether decoding found an error
// other than a missing pubsubctl block (which is replaced by placeholders
// so that validation still runs).
func (l *loader) hasErrorsBesidesMissingBlock() bool {
	for _, d := range l.diags {
		if d.Severity == hcl.DiagError && d != l.missingBlock {
			return true
		}
	}
	return false
}

// parseFiles reads and parses every *.hcl file of the directory in name
// order. It returns nil when nothing usable was parsed.
func (l *loader) parseFiles() []*hclsyntax.Body {
	var names []string
	if l.single != "" {
		if !strings.HasSuffix(l.single, ".hcl") {
			l.errorf(hcl.Range{Filename: l.opts.Dir, Start: hcl.InitialPos, End: hcl.InitialPos}, "Not a configuration file",
				"%q is a file but not a *.hcl file. Pass a configuration directory or a single .hcl file.", l.opts.Dir)
			return nil
		}
		names = []string{l.single}
	}
	if l.single == "" {
		if fi, err := os.Stat(l.dir); err == nil && !fi.IsDir() {
			l.errorf(l.fallbackRange(), "Not a configuration",
				"%s is %s; pass a configuration directory or a single .hcl file.", l.dir, safefile.DescribeMode(fi.Mode()))
			return nil
		}
	}
	entries, err := os.ReadDir(l.dir)
	if err != nil {
		l.errorf(l.fallbackRange(), "Cannot read configuration directory", "%v", err)
		return nil
	}
	if l.single != "" {
		entries = nil
	}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".hcl") || strings.HasPrefix(name, ".") {
			continue
		}
		if e.IsDir() {
			continue // a subdirectory, even if its name ends in .hcl
		}
		if !e.Type().IsRegular() {
			// Symbolic links are followed; a link to a directory is a
			// subdirectory. Anything else (a dangling link, a link loop,
			// a named pipe, a device) is an error, not silently skipped.
			p := filepath.Join(l.dir, name)
			fi, err := os.Stat(p)
			switch {
			case err != nil && e.Type()&os.ModeSymlink != 0:
				l.errorf(hcl.Range{Filename: filepath.Join(l.opts.Dir, name), Start: hcl.InitialPos, End: hcl.InitialPos},
					"Cannot read configuration file", "%s is a symbolic link that cannot be followed (%v). Fix or remove the link.", name, linkProblem(p, err))
				continue
			case err != nil:
				l.errorf(hcl.Range{Filename: filepath.Join(l.opts.Dir, name), Start: hcl.InitialPos, End: hcl.InitialPos},
					"Cannot read configuration file", "%v", err)
				continue
			case fi.IsDir():
				continue
			case !fi.Mode().IsRegular():
				l.errorf(hcl.Range{Filename: filepath.Join(l.opts.Dir, name), Start: hcl.InitialPos, End: hcl.InitialPos},
					"Cannot read configuration file", "%s is %s, not a regular file; configuration files must be regular files.", name, safefile.DescribeMode(fi.Mode()))
				continue
			}
		}
		names = append(names, name)
	}
	sort.Strings(names)
	if len(names) == 0 {
		if l.diags.HasErrors() {
			return nil
		}
		l.errorf(l.fallbackRange(), "No configuration files",
			"The directory %q contains no *.hcl files. Run pubsubctl in a configuration directory or pass its path.", l.dir)
		return nil
	}
	var bodies []*hclsyntax.Body
	parseErrors := l.diags.HasErrors()
	for _, name := range names {
		filename := filepath.Join(l.opts.Dir, name)
		if l.single != "" {
			filename = filepath.Clean(l.opts.Dir)
		}
		if l.first == "" {
			l.first = filename
		}
		src, err := safefile.ReadBounded(filepath.Join(l.dir, name), MaxFileBytes)
		if err != nil {
			l.errorf(hcl.Range{Filename: filename, Start: hcl.InitialPos, End: hcl.InitialPos},
				"Cannot read configuration file", "%s.", fileErrorText(err, "configuration file"))
			parseErrors = true
			continue
		}
		f, ok := l.parseHCL(src, filename)
		if !ok {
			parseErrors = true
			continue
		}
		body, ok := f.Body.(*hclsyntax.Body)
		if !ok {
			parseErrors = true
			continue
		}
		l.instrument(body)
		bodies = append(bodies, body)
	}
	if parseErrors {
		return nil
	}
	return bodies
}

// parseHCL checks src against the source limits and parses it.
func (l *loader) parseHCL(src []byte, filename string) (*hcl.File, bool) {
	n, d := scanSource(src, filename, hcl.InitialPos, scanHCL, l.tokenBudget())
	l.tokens += n
	if d != nil {
		l.add(d)
		l.files[filename] = &hcl.File{Bytes: src} // for the snippet
		return nil, false
	}
	f, ds := l.parser.ParseHCL(src, filename)
	l.addAll(ds)
	if f != nil {
		l.files[filename] = f
	}
	return f, f != nil && !ds.HasErrors()
}

// tokenBudget is how many tokens the next file may have.
func (l *loader) tokenBudget() int {
	return min(MaxFileTokens, MaxConfigTokens-l.tokens)
}

// linkProblem says why a symbolic link cannot be followed.
func linkProblem(p string, err error) string {
	target, lerr := os.Readlink(p)
	switch {
	case lerr != nil:
		return err.Error()
	case os.IsNotExist(err):
		return fmt.Sprintf("its target %s does not exist", target)
	case strings.Contains(err.Error(), "too many levels of symbolic links"):
		return fmt.Sprintf("it points to %s, which leads back to itself (a link loop)", target)
	}
	return fmt.Sprintf("it points to %s: %v", target, err)
}

// fileErrorText describes a ReadBounded error.
func fileErrorText(err error, what string) string {
	var tooLarge *safefile.FileTooLargeError
	if errors.As(err, &tooLarge) {
		return fmt.Sprintf("%v for a %s", err, what)
	}
	return err.Error()
}

// dedupe drops diagnostics identical to an earlier one (for_each instances
// evaluate the same expression once per key).
func dedupe(diags hcl.Diagnostics) hcl.Diagnostics {
	type key struct {
		sev             hcl.DiagnosticSeverity
		summary, detail string
		rng             hcl.Range
	}
	seen := map[key]bool{}
	out := diags[:0:0]
	for _, d := range diags {
		k := key{sev: d.Severity, summary: d.Summary, detail: d.Detail}
		if d.Subject != nil {
			k.rng = *d.Subject
		}
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, d)
	}
	return out
}

// copyDefaultRanges points fields filled from the defaults block at the
// defaults block, so that a diagnostic about such a value shows where it
// was written.
func copyDefaultRanges(cfg *model.Config, d *model.Defaults) {
	if d == nil || !d.Meta.HasRanges() && len(d.Meta.Sensitive) == 0 {
		return
	}
	fix := func(m *model.Meta, prefix string) {
		for path, src := range m.Sources() {
			if src != model.SourceDefaults {
				continue
			}
			if d.Meta.IsSensitive(prefix + path) {
				m.MarkSensitive(path)
			}
			if m.HasRange(path) {
				continue
			}
			for p := path; p != ""; {
				if d.Meta.HasRange(prefix + p) {
					r := d.Meta.Range(prefix + p)
					m.Set(path, src, &r)
					break
				}
				i := strings.LastIndexByte(p, '.')
				if i < 0 {
					break
				}
				p = p[:i]
			}
		}
	}
	for _, t := range cfg.Topics {
		fix(&t.Meta, "topic.")
	}
	for _, s := range cfg.Subscriptions {
		fix(&s.Meta, "subscription.")
	}
}
