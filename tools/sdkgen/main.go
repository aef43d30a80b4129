// Command sdkgen writes the Python and Go SDKs of this provider with Pulumi's own code generator, from
// the package schema (schema.json): `sdkgen <schema.json> <sdk-dir>` writes <sdk-dir>/python and
// <sdk-dir>/go, and nothing else. scripts/sdkgen.sh builds it; `npm run generate` runs it.
//
// `pulumi package gen-sdk` does the same through the language hosts, which the machines this project is
// built on cannot install; the generators themselves are plain Go libraries and need no host.
//
// Each language's folder is written whole into a temporary folder beside it, then swapped in, so a
// failed run leaves the previous SDK as it was and a file the generator no longer writes disappears.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime/debug"
	"sort"

	"github.com/blang/semver"
	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

// The name the generated files' "do not edit" headers give as their generator.
const tool = "pulumi-ebs-snapshots/tools/sdkgen"

// The Go SDK the generated code is compiled against: its module path, whose version sdkgen takes from its
// own build, so that the SDK requires exactly the sdk/v3 the generator was built with.
const pulumiGoSDK = "github.com/pulumi/pulumi/sdk/v3"

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: sdkgen <schema.json> <sdk-dir>   (writes <sdk-dir>/python and <sdk-dir>/go)")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintf(os.Stderr, "sdkgen: %v\n", err)
		os.Exit(1)
	}
}

func run(schemaFile, sdkDir string) error {
	pkg, err := bind(schemaFile)
	if err != nil {
		return err
	}
	pythonFiles, err := python.GeneratePackage(tool, pkg, nil, noReferences{})
	if err != nil {
		return fmt.Errorf("generating Python: %w", err)
	}
	// pyproject.toml names README.md beside it, which the generator writes only into the package folder
	// (Pulumi's own builds copy it up before `pip install`): without the copy the package has no description.
	if err := copyPythonReadme(pkg, pythonFiles); err != nil {
		return err
	}
	// The Go generator reads the package's language sections again; bind a fresh copy so that the
	// Python generator's import of its own section cannot leak into the Go output.
	pkg, err = bind(schemaFile)
	if err != nil {
		return err
	}
	goFiles, err := gogen.GeneratePackage(tool, pkg, nil)
	if err != nil {
		return fmt.Errorf("generating Go: %w", err)
	}
	if err := replaceDir(filepath.Join(sdkDir, "python"), pythonFiles, nil); err != nil {
		return err
	}
	goInfo, _ := pkg.Language["go"].(gogen.GoPackageInfo)
	return replaceDir(filepath.Join(sdkDir, "go"), goFiles, func(dir string) error { return writeGoModule(dir, goInfo) })
}

// copyPythonReadme adds README.md at the Python SDK's root, the same text as the package folder's.
func copyPythonReadme(pkg *schema.Package, files map[string][]byte) error {
	info, _ := pkg.Language["python"].(python.PackageInfo)
	name := info.PackageName
	if name == "" {
		return errors.New("the schema's language.python.packageName is empty")
	}
	readme, ok := files[name+"/README.md"]
	if !ok {
		return fmt.Errorf("the Python generator wrote no %s/README.md: give the schema a language.python.readme", name)
	}
	files["README.md"] = readme
	return nil
}

// bind reads the schema and binds it as `pulumi package gen-sdk` does, validating it against Pulumi's
// metaschema first. The schema references no other package, so nothing is ever loaded.
func bind(schemaFile string) (*schema.Package, error) {
	raw, err := os.ReadFile(schemaFile)
	if err != nil {
		return nil, err
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(raw, &spec); err != nil {
		return nil, fmt.Errorf("%s: %w", schemaFile, err)
	}
	pkg, diags, err := schema.BindSpec(spec, noReferences{}, schema.ValidationOptions{})
	if err != nil {
		return nil, fmt.Errorf("binding %s: %w", schemaFile, err)
	}
	if len(diags) > 0 {
		// A warning too: the schema is ours, and a generator warning is a schema to fix.
		return nil, fmt.Errorf("binding %s: %w", schemaFile, diags)
	}
	return pkg, nil
}

// noReferences is the schema loader for a package that references no other package: any load is an error.
type noReferences struct{}

func (noReferences) LoadPackage(name string, _ *semver.Version) (*schema.Package, error) {
	return nil, fmt.Errorf("the schema references package %q; sdkgen loads no other package", name)
}

func (noReferences) LoadPackageV2(_ context.Context, d *schema.PackageDescriptor) (*schema.Package, error) {
	return nil, fmt.Errorf("the schema references package %q; sdkgen loads no other package", d.Name)
}

func (noReferences) LoadPackageReference(name string, _ *semver.Version) (schema.PackageReference, error) {
	return nil, fmt.Errorf("the schema references package %q; sdkgen loads no other package", name)
}

func (noReferences) LoadPackageReferenceV2(_ context.Context, d *schema.PackageDescriptor) (schema.PackageReference, error) {
	return nil, fmt.Errorf("the schema references package %q; sdkgen loads no other package", d.Name)
}

// writeGoModule makes the Go SDK a module of its own, so that `go get` of it works: module path one
// folder above the import base path (sdk/go holds the package folder), requiring the sdk/v3 sdkgen was
// built with. `go mod tidy` then adds the SDK's other requirements and writes go.sum.
func writeGoModule(dir string, info gogen.GoPackageInfo) error {
	if info.ImportBasePath == "" {
		return errors.New("the schema's language.go.importBasePath is empty: the Go SDK's module path derives from it")
	}
	version, err := builtWith(pulumiGoSDK)
	if err != nil {
		return err
	}
	// The go directive is the lowest the SDK allows; tidy raises it to what sdk/v3 requires.
	gomod := fmt.Sprintf("module %s\n\ngo 1.25\n\nrequire %s %s\n", path.Dir(info.ImportBasePath), pulumiGoSDK, version)
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(gomod), 0o644); err != nil {
		return err
	}
	if err := goCommand(dir, "mod", "tidy"); err != nil {
		return err
	}
	// Tidy may record the local toolchain when it raises the go directive; the SDK must not depend on it.
	return goCommand(dir, "mod", "edit", "-toolchain=none")
}

// builtWith is the version of module modPath in sdkgen's own build.
func builtWith(modPath string) (string, error) {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "", errors.New("sdkgen was built without module information")
	}
	for _, dep := range info.Deps {
		if dep.Path == modPath {
			return dep.Version, nil
		}
	}
	return "", fmt.Errorf("sdkgen was not built with %s", modPath)
}

func goCommand(dir string, args ...string) error {
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	// Outside any workspace, with no flags from the caller's environment (such as -mod=vendor).
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=")
	cmd.Stdout = os.Stderr
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go %v in %s: %w", args, dir, err)
	}
	return nil
}

// replaceDir writes files into a new folder beside dir, lets finish add to it, then puts it in dir's place.
func replaceDir(dir string, files map[string][]byte, finish func(dir string) error) error {
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	staging, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+"-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(staging)
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		file := filepath.Join(staging, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(file, files[name], 0o644); err != nil {
			return err
		}
	}
	if finish != nil {
		if err := finish(staging); err != nil {
			return err
		}
	}
	if err := os.Chmod(staging, 0o755); err != nil {
		return err
	}
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	return os.Rename(staging, dir)
}
