package live

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	crm "google.golang.org/api/cloudresourcemanager/v3"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// ProjectNumber returns the number of the client's project, which names the
// Pub/Sub service agent, by calling Cloud Resource Manager v3 projects.get.
// An emulator has no project numbers, and a caller without
// resourcemanager.projects.get cannot read it: both errors explain how to
// set it in the configuration instead.
func (c *Client) ProjectNumber(ctx context.Context) (string, error) {
	const howto = `set it in the configuration: pubsubctl { project_number = "123456789012" } ` +
		`(shown by "gcloud projects describe %s --format='value(projectNumber)'")`
	if c.IsEmulator() {
		return "", fmt.Errorf("the project number of %s cannot be looked up on the %s: "+howto,
			c.project, c.Target(), c.project)
	}
	c.numberMu.Lock()
	defer c.numberMu.Unlock()
	if c.number != "" {
		return c.number, nil
	}
	opts := append([]option.ClientOption{option.WithScopes(crm.CloudPlatformReadOnlyScope), option.WithUserAgent("pubsubctl")}, c.authOpts...)
	svc, err := crm.NewService(ctx, opts...)
	if err != nil {
		return "", fmt.Errorf("look up the project number of %s: %w", c.project, err)
	}
	name := "projects/" + c.project
	var p *crm.Project
	err = c.call(ctx, Read, "get project", name, func(ctx context.Context) (err error) {
		p, err = svc.Projects.Get(name).Context(ctx).Do()
		return httpToStatus(err)
	})
	switch {
	case Code(err) == codes.PermissionDenied || Code(err) == codes.NotFound:
		return "", fmt.Errorf("cannot look up the project number of %s (%w): grant resourcemanager.projects.get "+
			"(e.g. roles/browser) or "+howto, c.project, err, c.project)
	case err != nil:
		return "", err
	}
	num, ok := strings.CutPrefix(p.Name, "projects/")
	if !ok || num == "" {
		return "", fmt.Errorf("look up the project number of %s: unexpected project name %q", c.project, p.Name)
	}
	c.number = num
	return num, nil
}

// httpToStatus turns a Cloud Resource Manager HTTP error into a gRPC status
// error, so that the retry loop and Code treat it like any other error.
func httpToStatus(err error) error {
	var ge *googleapi.Error
	if err == nil || !errors.As(err, &ge) {
		return err
	}
	code := codes.Unknown
	switch ge.Code {
	case http.StatusTooManyRequests:
		code = codes.ResourceExhausted
	case http.StatusServiceUnavailable, http.StatusBadGateway, http.StatusGatewayTimeout:
		code = codes.Unavailable
	case http.StatusInternalServerError:
		code = codes.Internal
	case http.StatusForbidden:
		code = codes.PermissionDenied
	case http.StatusUnauthorized:
		code = codes.Unauthenticated
	case http.StatusNotFound:
		code = codes.NotFound
	case http.StatusBadRequest:
		code = codes.InvalidArgument
	}
	return status.Error(code, err.Error())
}
