// Copyright 2025 Google LLC
// Copyright 2026 the pubsubctl authors
//
// Licensed under the Apache License, Version 2.0 (the "License");
// you may not use this file except in compliance with the License.
// You may obtain a copy of the License at
//
//      http://www.apache.org/licenses/LICENSE-2.0
//
// Unless required by applicable law or agreed to in writing, software
// distributed under the License is distributed on an "AS IS" BASIS,
// WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
// See the License for the specific language governing permissions and
// limitations under the License.

// This file derives from cloud.google.com/go/pubsub/v2/pstest/fake.go
// (v2.8.1): the SchemaService RPCs, storage only. The conformance layer
// (package emulator) gives them the service's semantics: existence checks,
// listing order and paging, views, definitions.

package engine

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"

	pb "cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

func genRevID() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (s *Server) newRevision(name string, sc *pb.Schema) *pb.Schema {
	return &pb.Schema{
		Name:               name,
		Type:               sc.GetType(),
		Definition:         sc.GetDefinition(),
		RevisionId:         genRevID(),
		RevisionCreateTime: timestamppb.New(s.now()),
	}
}

// CreateSchema creates a schema (a second create adds a revision; the
// conformance layer refuses it first).
func (s *Server) CreateSchema(_ context.Context, req *pb.CreateSchemaRequest) (*pb.Schema, error) {
	if req.Schema == nil {
		return nil, status.Errorf(codes.InvalidArgument, "missing schema")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	name := req.Parent + "/schemas/" + req.SchemaId
	sc := s.newRevision(name, req.Schema)
	s.schemas[name] = append(s.schemas[name], sc)
	return sc, nil
}

// GetSchema returns a schema's newest revision, or the one named NAME@REV.
func (s *Server) GetSchema(_ context.Context, req *pb.GetSchemaRequest) (*pb.Schema, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	name, rev, _ := strings.Cut(req.Name, "@")
	if strings.Contains(rev, "@") {
		return nil, status.Errorf(codes.InvalidArgument, "schema(%q) name parse error", req.Name)
	}
	revs, ok := s.schemas[name]
	if !ok || len(revs) == 0 {
		return nil, status.Errorf(codes.NotFound, "schema(%q) not found", req.Name)
	}
	if rev == "" {
		return revs[len(revs)-1], nil
	}
	for _, sc := range revs {
		if sc.RevisionId == rev {
			return sc, nil
		}
	}
	return nil, status.Errorf(codes.NotFound, "schema %q not found", req.Name)
}

// ListSchemas lists the newest revision of every schema, unordered.
func (s *Server) ListSchemas(_ context.Context, _ *pb.ListSchemasRequest) (*pb.ListSchemasResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ss := make([]*pb.Schema, 0, len(s.schemas))
	for _, revs := range s.schemas {
		ss = append(ss, revs[len(revs)-1])
	}
	return &pb.ListSchemasResponse{Schemas: ss}, nil
}

// ListSchemaRevisions lists a schema's revisions, oldest first.
func (s *Server) ListSchemaRevisions(_ context.Context, req *pb.ListSchemaRevisionsRequest) (*pb.ListSchemaRevisionsResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return &pb.ListSchemaRevisionsResponse{Schemas: append([]*pb.Schema(nil), s.schemas[req.Name]...)}, nil
}

// CommitSchema adds a revision.
func (s *Server) CommitSchema(_ context.Context, req *pb.CommitSchemaRequest) (*pb.Schema, error) {
	if req.Schema == nil {
		return nil, status.Errorf(codes.InvalidArgument, "missing schema")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sc := s.newRevision(req.Name, req.Schema)
	s.schemas[req.Name] = append(s.schemas[req.Name], sc)
	return sc, nil
}

// RollbackSchema adds a revision that copies an older one.
func (s *Server) RollbackSchema(_ context.Context, req *pb.RollbackSchemaRequest) (*pb.Schema, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sc := range s.schemas[req.Name] {
		if sc.RevisionId == req.RevisionId {
			n := proto.Clone(sc).(*pb.Schema)
			n.RevisionId = genRevID()
			n.RevisionCreateTime = timestamppb.New(s.now())
			s.schemas[req.Name] = append(s.schemas[req.Name], n)
			return n, nil
		}
	}
	return nil, status.Errorf(codes.NotFound, "schema %q@%q not found", req.Name, req.RevisionId)
}

// DeleteSchemaRevision deletes a revision other than the last one left.
func (s *Server) DeleteSchemaRevision(_ context.Context, req *pb.DeleteSchemaRevisionRequest) (*pb.Schema, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	name, rev, ok := strings.Cut(req.Name, "@")
	if !ok || strings.Contains(rev, "@") {
		return nil, status.Errorf(codes.InvalidArgument, "could not parse revision ID from schema name: %q", req.Name)
	}
	revs := s.schemas[name]
	for i, sc := range revs {
		if sc.RevisionId == rev {
			if len(revs) == 1 {
				return nil, status.Errorf(codes.InvalidArgument, "cannot delete last revision for schema %q", req.Name)
			}
			s.schemas[name] = append(revs[:i:i], revs[i+1:]...)
			return sc, nil
		}
	}
	return nil, status.Errorf(codes.NotFound, "schema %q not found", req.Name)
}

// DeleteSchema deletes a schema and all its revisions.
func (s *Server) DeleteSchema(_ context.Context, req *pb.DeleteSchemaRequest) (*emptypb.Empty, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.schemas[req.Name] == nil {
		return nil, status.Errorf(codes.NotFound, "schema %q", req.Name)
	}
	delete(s.schemas, req.Name)
	return &emptypb.Empty{}, nil
}

// ValidateSchema checks that the definition is not empty (the
// conformance layer compiles it).
func (s *Server) ValidateSchema(_ context.Context, req *pb.ValidateSchemaRequest) (*pb.ValidateSchemaResponse, error) {
	if req.GetSchema().GetDefinition() == "" {
		return nil, status.Error(codes.InvalidArgument, "schema definition cannot be empty")
	}
	return &pb.ValidateSchemaResponse{}, nil
}

// ValidateMessage checks that the schema exists and is not empty.
func (s *Server) ValidateMessage(_ context.Context, req *pb.ValidateMessageRequest) (*pb.ValidateMessageResponse, error) {
	switch spec := req.GetSchemaSpec().(type) {
	case *pb.ValidateMessageRequest_Name:
		sc, err := s.GetSchema(context.Background(), &pb.GetSchemaRequest{Name: spec.Name})
		if err != nil {
			return nil, err
		}
		if sc.Definition == "" {
			return nil, status.Error(codes.InvalidArgument, "schema definition cannot be empty")
		}
	case *pb.ValidateMessageRequest_Schema:
		if spec.Schema.GetDefinition() == "" {
			return nil, status.Error(codes.InvalidArgument, "schema definition cannot be empty")
		}
	}
	return &pb.ValidateMessageResponse{}, nil
}
