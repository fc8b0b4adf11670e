package iam

import "github.com/pubsubctl/pubsubctl/model"

// AddDeadLetterGrants gives the Pub/Sub service agent of projectNumber
// roles/pubsub.publisher on each dead-letter topic and
// roles/pubsub.subscriber on each subscription that dead-letters, and
// nothing project-wide. Grants on dead-letter topics that the configuration
// does not declare (another project's, or an existing unmanaged topic) are
// returned in c.ExternalBindings. It is idempotent. The loader runs it when
// the pubsubctl block sets project_number; plan runs it with the number it
// looks up otherwise.
func AddDeadLetterGrants(c *model.Config, projectNumber string) {
	c.ProjectNumber = projectNumber
	agent := model.ServiceAgent(projectNumber)
	topics := map[string]*model.Topic{}
	for _, t := range c.Topics {
		topics[model.FullName(c.Project, model.KindTopic, t.Name)] = t
	}
	for _, s := range c.Subscriptions {
		if s.DeadLetter == nil || s.DeadLetter.Topic == "" {
			continue
		}
		origin := "dead-letter grant for " + s.Addr.String()
		addGrant(&s.IAM, model.RoleSubscriber, agent, origin)
		if t, ok := topics[s.DeadLetter.Topic]; ok {
			addGrant(&t.IAM, model.RolePublisher, agent, origin)
			continue
		}
		eb := model.ExternalBinding{Resource: s.DeadLetter.Topic, Kind: model.KindTopic}
		addGrant(&eb.IAM, model.RolePublisher, agent, origin)
		found := false
		for i := range c.ExternalBindings {
			if c.ExternalBindings[i].Resource == eb.Resource {
				addGrant(&c.ExternalBindings[i].IAM, model.RolePublisher, agent, origin)
				found = true
			}
		}
		if !found {
			c.ExternalBindings = append(c.ExternalBindings, eb)
		}
	}
}

func addGrant(p *model.IAM, role, member, origin string) {
	for _, b := range p.Bindings {
		if b.Role == role && b.Origin == origin {
			for _, m := range b.Members {
				if m == member {
					return
				}
			}
		}
	}
	p.Bindings = append(p.Bindings, model.Binding{Role: role, Members: []string{member}, Origin: origin, Additive: true})
}
