// A nightly backup of a server in Go: a crash-consistent SnapshotSet of an instance's data volumes and
// a Snapshot of one more volume, both tagged, their ids exported.
//
// The same Program runs two ways:
//   - as a Pulumi project (`pulumi up` in this folder, with the Go language host): main calls pulumi.Run;
//   - as an Automation API inline program (`go-backup -inline <op>`): main drives the stack itself
//     through the `pulumi` CLI on PATH, with no language host, and prints one JSON line per result.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pulumi-ebs-snapshots/pulumi-ebs-snapshots/sdk/go/ebssnapshots"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optrefresh"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

// ProjectName is the project's name, as in Pulumi.yaml: its config keys are `go-backup:<key>`.
const ProjectName = "go-backup"

// Program declares the backup. Config: instanceId and volumeId (required), team (default "storage").
func Program(ctx *pulumi.Context) error {
	cfg := config.New(ctx, "")
	instanceID := cfg.Require("instanceId")
	volumeID := cfg.Require("volumeId")
	team := cfg.Get("team")
	if team == "" {
		team = "storage"
	}
	tags := pulumi.StringMap{
		"Team":      pulumi.String(team),
		"Backup":    pulumi.String("nightly"),
		"ManagedBy": pulumi.String("pulumi"),
	}

	// Every data volume of the instance at one point in time (EC2 CreateSnapshots), the boot volume left out.
	server, err := ebssnapshots.NewSnapshotSet(ctx, "server", &ebssnapshots.SnapshotSetArgs{
		InstanceId:        pulumi.String(instanceID),
		ExcludeBootVolume: pulumi.Bool(true),
		Description:       pulumi.String("nightly data volumes of " + instanceID),
		Tags:              tags,
	})
	if err != nil {
		return err
	}

	// One more volume on its own (EC2 CreateSnapshot).
	data, err := ebssnapshots.NewSnapshot(ctx, "data", &ebssnapshots.SnapshotArgs{
		VolumeId:    pulumi.String(volumeID),
		Description: pulumi.String("nightly " + volumeID),
		Tags:        tags,
	})
	if err != nil {
		return err
	}

	ctx.Export("serverSnapshotIds", server.SnapshotIds)
	ctx.Export("serverState", server.State)
	ctx.Export("dataSnapshotId", data.SnapshotId)
	ctx.Export("dataState", data.State)
	return nil
}

// configFlags collects repeated `-config key=value` flags.
type configFlags map[string]string

func (c configFlags) String() string { return fmt.Sprint(map[string]string(c)) }

func (c configFlags) Set(value string) error {
	key, val, ok := strings.Cut(value, "=")
	if !ok || key == "" {
		return fmt.Errorf("expected key=value, got %q", value)
	}
	c[key] = val
	return nil
}

func main() {
	op := flag.String("inline", os.Getenv("GO_BACKUP_INLINE"),
		"run as an Automation API inline program: preview, up, refresh, destroy, outputs or export")
	stackName := flag.String("stack", "dev", "the stack's name")
	workDir := flag.String("workdir", "", "the workspace folder, kept between runs (default: a folder under the system's temp folder)")
	pluginDir := flag.String("plugin-dir", "", "a folder holding pulumi-resource-ebs-snapshots, instead of the installed plugin")
	expectNoChanges := flag.Bool("expect-no-changes", false, "preview: fail if anything would change")
	cfg := configFlags{}
	flag.Var(cfg, "config", "a stack config value, key=value (key without namespace: the project's); repeatable")
	flag.Parse()

	if *op == "" {
		pulumi.Run(Program)
		return
	}
	result, err := runInline(context.Background(), *op, inlineOptions{
		stack: *stackName, workDir: *workDir, pluginDir: *pluginDir, config: cfg, expectNoChanges: *expectNoChanges,
	})
	if result == nil {
		result = map[string]any{}
	}
	result["op"] = *op
	result["ok"] = err == nil
	if err != nil {
		result["error"] = err.Error()
	}
	line, _ := json.Marshal(result)
	fmt.Println(string(line))
	if err != nil {
		os.Exit(1)
	}
}

type inlineOptions struct {
	stack, workDir, pluginDir string
	config                    map[string]string
	expectNoChanges           bool
}

// runInline runs one operation on the stack with Program as its inline program. Progress goes to stderr;
// the result is returned for main to print as one JSON line on stdout.
func runInline(ctx context.Context, op string, o inlineOptions) (map[string]any, error) {
	project := workspace.Project{Name: ProjectName, Runtime: workspace.NewProjectRuntimeInfo("go", nil)}
	if o.pluginDir != "" {
		dir, err := filepath.Abs(o.pluginDir)
		if err != nil {
			return nil, err
		}
		project.Plugins = &workspace.Plugins{Providers: []workspace.PluginOptions{{Name: "ebs-snapshots", Path: dir}}}
	}
	workDir := o.workDir
	if workDir == "" {
		workDir = filepath.Join(os.TempDir(), ProjectName+"-"+o.stack)
	}
	if err := os.MkdirAll(workDir, 0o700); err != nil {
		return nil, err
	}
	stack, err := auto.UpsertStackInlineSource(ctx, o.stack, ProjectName, Program, auto.Project(project), auto.WorkDir(workDir))
	if err != nil {
		return nil, err
	}
	if len(o.config) > 0 {
		values := auto.ConfigMap{}
		for key, value := range o.config {
			values[key] = auto.ConfigValue{Value: value}
		}
		if err := stack.SetAllConfig(ctx, values); err != nil {
			return nil, err
		}
	}

	switch op {
	case "preview":
		opts := []optpreview.Option{optpreview.ProgressStreams(os.Stderr)}
		if o.expectNoChanges {
			opts = append(opts, optpreview.ExpectNoChanges())
		}
		res, err := stack.Preview(ctx, opts...)
		return map[string]any{"changes": res.ChangeSummary}, err
	case "up":
		res, err := stack.Up(ctx, optup.ProgressStreams(os.Stderr))
		return map[string]any{"changes": changes(res.Summary.ResourceChanges), "outputs": plain(res.Outputs)}, err
	case "refresh":
		res, err := stack.Refresh(ctx, optrefresh.ProgressStreams(os.Stderr))
		return map[string]any{"changes": changes(res.Summary.ResourceChanges)}, err
	case "destroy":
		res, err := stack.Destroy(ctx, optdestroy.ProgressStreams(os.Stderr))
		return map[string]any{"changes": changes(res.Summary.ResourceChanges)}, err
	case "outputs":
		outputs, err := stack.Outputs(ctx)
		return map[string]any{"outputs": plain(outputs)}, err
	case "export":
		state, err := stack.Export(ctx)
		return map[string]any{"deployment": state.Deployment}, err
	default:
		return nil, errors.New("unknown operation " + op + ": use preview, up, refresh, destroy, outputs or export")
	}
}

func changes(summary *map[string]int) map[string]int {
	if summary == nil {
		return map[string]int{}
	}
	return *summary
}

// plain gives the outputs' values, secrets masked.
func plain(outputs auto.OutputMap) map[string]any {
	values := map[string]any{}
	for key, output := range outputs {
		if output.Secret {
			values[key] = "[secret]"
		} else {
			values[key] = output.Value
		}
	}
	return values
}
