// ctr-update changes the resources of a running containerd task, the call ctr lacks:
// containerd's Tasks.Update, which containerd-shim-runc-v2 turns into
// `RUNTIME update --resources - ID` with the resources as JSON on the runtime's stdin.
//
// Usage: ctr-update SOCKET NAMESPACE ID RESOURCES
// RESOURCES is a runtime-spec LinuxResources object as JSON, e.g. {"memory":{"limit":1048576}}.
//
// Built offline by the client suite against Debian's golang-github-containerd-containerd-dev
// (GOPATH=/usr/share/gocode, GO111MODULE=off): only the Tasks API client and its types, not
// the whole containerd client, so that it builds in seconds.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	tasks "github.com/containerd/containerd/api/services/tasks/v1"
	"github.com/containerd/containerd/namespaces"
	"github.com/containerd/typeurl"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"google.golang.org/grpc"
)

func init() {
	// the type URL containerd itself registers for LinuxResources (client.go)
	typeurl.Register(&specs.LinuxResources{}, "types.containerd.io", "opencontainers/runtime-spec", "1", "LinuxResources")
}

func update(socket, ns, id, resources string) error {
	var r specs.LinuxResources
	if err := json.Unmarshal([]byte(resources), &r); err != nil {
		return fmt.Errorf("resources: %w", err)
	}
	any, err := typeurl.MarshalAny(&r)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := grpc.DialContext(ctx, "unix://"+socket, grpc.WithInsecure(), grpc.WithBlock())
	if err != nil {
		return fmt.Errorf("connect to %s: %w", socket, err)
	}
	defer conn.Close()
	ctx = namespaces.WithNamespace(ctx, ns)
	_, err = tasks.NewTasksClient(conn).Update(ctx, &tasks.UpdateTaskRequest{ContainerID: id, Resources: any})
	return err
}

func main() {
	if len(os.Args) != 5 {
		fmt.Fprintln(os.Stderr, "usage: ctr-update SOCKET NAMESPACE ID RESOURCES-JSON")
		os.Exit(2)
	}
	if err := update(os.Args[1], os.Args[2], os.Args[3], os.Args[4]); err != nil {
		fmt.Fprintln(os.Stderr, "ctr-update:", err)
		os.Exit(1)
	}
}
