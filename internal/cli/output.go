package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/pubsubctl/pubsubctl/internal/config"
	"github.com/pubsubctl/pubsubctl/model"
	"github.com/pubsubctl/pubsubctl/plan"
)

// OutputCmd prints what applications need to know about a configuration.
type OutputCmd struct {
	ConfigDirArg
	Format string `default:"env" enum:"env,json,dotenv" help:"Output format: env (KEY=value lines, shell-quoted, for . or eval), dotenv (KEY=\"value\", for .env files) or json (keyed by address)."`
}

// Help is the long help of output.
func (*OutputCmd) Help() string {
	return `Prints the resolved names a service needs to use the configuration's resources, keyed
by address, with no network call:

  PUBSUB_PROJECT_ID                            the project
  PUBSUB_TOPIC_<NAME>, ..._ID                  a topic's full name and ID
  PUBSUB_SUBSCRIPTION_<NAME>, ..._ID           a subscription's full name and ID
  PUBSUB_SUBSCRIPTION_<NAME>_DEAD_LETTER_TOPIC its dead-letter topic
  PUBSUB_SUBSCRIPTION_<NAME>_PUSH_ENDPOINT, _PUSH_AUDIENCE, _PUSH_SERVICE_ACCOUNT
                                               a push subscription's endpoint, the audience
                                               of its OIDC tokens and their service account
  PUBSUB_SCHEMA_<NAME>                         a schema's full name

<NAME> is the resource's label (and for_each key) upper-cased, with every other character
than letters and digits as _: subscription.orders-audit["eu"] is ORDERS_AUDIT_EU. The
dead-letter topics and subscriptions pubsubctl derives are included. Then come the
configuration's output blocks, their names upper-cased (output "orders_topic" is
ORDERS_TOPIC). Sensitive values are printed as (sensitive).

Two addresses that give the same name (orders-billing and orders_billing) are an error
naming both.

Exit status: 0 printed, 1 invalid configuration, a clash of names or a usage error.

Examples:
  pubsubctl output examples/shop
  pubsubctl output --format dotenv examples/shop > .env
  . <(pubsubctl output infra/)                                  # into the shell
  pubsubctl output --format json infra/ | jq -r '.resources["topic.orders"].name'`
}

// outputEntry is one printed value.
type outputEntry struct {
	key, value, comment string
}

// resourceOutputs is what the JSON form says about one resource.
type resourceOutputs map[string]string

// outputJSON is an output block in the JSON form.
type outputJSON struct {
	Value       string `json:"value"`
	Description string `json:"description,omitempty"`
	Sensitive   bool   `json:"sensitive,omitempty"`
}

// Run loads the configuration and prints its outputs.
func (c *OutputCmd) Run(rc *runContext) error {
	res, _, err := rc.load(c.Dir)
	if err != nil {
		return err
	}
	entries, byAddr, outputs, err := outputsOf(res)
	if err != nil {
		return err
	}
	switch c.Format {
	case "json":
		enc := json.NewEncoder(rc.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Project   string                     `json:"project"`
			Resources map[string]resourceOutputs `json:"resources"`
			Outputs   map[string]outputJSON      `json:"outputs"`
		}{res.Config.Project, byAddr, outputs})
	case "dotenv":
		return writeEntries(rc.stdout, entries, dotenvQuote)
	}
	return writeEntries(rc.stdout, entries, shellQuote)
}

// outputsOf resolves a loaded configuration's outputs: the entries in
// order (env and dotenv forms), what each resource gives (JSON form) and
// the output blocks. Sensitive values are SensitiveValue.
func outputsOf(res *config.Result) (entries []outputEntry, byAddr map[string]resourceOutputs, outputs map[string]outputJSON, err error) {
	cfg := res.Config
	byAddr = map[string]resourceOutputs{}
	var addrOrder []string
	owner := map[string]string{} // env key -> address that set it
	add := func(addr, attr, key, value string) error {
		if prev, ok := owner[key]; ok && prev != addr {
			return fmt.Errorf("%s and %s both give the output name %s: rename one, or refer to it through an output block", prev, addr, key)
		}
		owner[key] = addr
		entries = append(entries, outputEntry{key: key, value: value})
		if attr == "" {
			return nil
		}
		if byAddr[addr] == nil {
			byAddr[addr] = resourceOutputs{}
			addrOrder = append(addrOrder, addr)
		}
		byAddr[addr][attr] = value
		return nil
	}
	if err := add("pubsubctl.project", "", "PUBSUB_PROJECT_ID", cfg.Project); err != nil {
		return nil, nil, nil, err
	}
	for _, r := range cfg.Resources() {
		a := r.Address()
		addr := a.String()
		base := "PUBSUB_" + strings.ToUpper(a.Kind.String()) + "_" + envName(a.Name)
		if a.HasKey {
			base += "_" + envName(a.Key)
		}
		full := model.FullName(cfg.Project, a.Kind, r.ID())
		if err := add(addr, "name", base, full); err != nil {
			return nil, nil, nil, err
		}
		if a.Kind != model.KindSchema {
			if err := add(addr, "id", base+"_ID", r.ID()); err != nil {
				return nil, nil, nil, err
			}
		}
		s, ok := r.(*model.Subscription)
		if !ok {
			continue
		}
		meta := &s.Meta
		value := func(path, v string) string {
			if meta.IsSensitive(path) {
				return plan.SensitiveValue
			}
			return v
		}
		if s.DeadLetter != nil && s.DeadLetter.Topic != "" {
			if err := add(addr, "dead_letter_topic", base+"_DEAD_LETTER_TOPIC", s.DeadLetter.Topic); err != nil {
				return nil, nil, nil, err
			}
		}
		if p := s.Push; p != nil {
			if err := add(addr, "push_endpoint", base+"_PUSH_ENDPOINT", value("push.endpoint", p.Endpoint)); err != nil {
				return nil, nil, nil, err
			}
			if o := p.OIDC; o != nil {
				// Pub/Sub uses the endpoint as the audience when none is set.
				aud, path := o.Audience, "push.oidc.audience"
				if aud == "" {
					aud, path = p.Endpoint, "push.endpoint"
				}
				if err := add(addr, "push_audience", base+"_PUSH_AUDIENCE", value(path, aud)); err != nil {
					return nil, nil, nil, err
				}
				if err := add(addr, "push_service_account", base+"_PUSH_SERVICE_ACCOUNT", value("push.oidc.service_account", o.ServiceAccount)); err != nil {
					return nil, nil, nil, err
				}
			}
		}
	}
	outputs = map[string]outputJSON{}
	for _, o := range res.Outputs {
		v := o.Value
		if o.Sensitive {
			v = plan.SensitiveValue
		}
		if err := add("output."+o.Name, "", envName(o.Name), v); err != nil {
			return nil, nil, nil, err
		}
		entries[len(entries)-1].comment = o.Description
		outputs[o.Name] = outputJSON{Value: v, Description: o.Description, Sensitive: o.Sensitive}
	}
	return entries, byAddr, outputs, nil
}

func writeEntries(w io.Writer, entries []outputEntry, quote func(string) string) error {
	for _, e := range entries {
		if e.comment != "" {
			for _, l := range strings.Split(e.comment, "\n") {
				if _, err := fmt.Fprintf(w, "# %s\n", l); err != nil {
					return err
				}
			}
		}
		if _, err := fmt.Fprintf(w, "%s=%s\n", e.key, quote(e.value)); err != nil {
			return err
		}
	}
	return nil
}

// envName makes an environment variable name: upper case, every character
// but letters and digits as _.
func envName(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		if r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

// dotenvQuote double-quotes s the way .env readers unquote it.
func dotenvQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "$", `\$`).Replace(s) + `"`
}
