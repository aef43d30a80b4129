//go:build tools

// Package tools pins the Pulumi CLI's main package, and the sdk package whose Version variable the
// build stamps, so that `go mod tidy` keeps both at one version with every module they need.
package tools

import (
	_ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
	_ "github.com/pulumi/pulumi/sdk/v3/go/common/version"
)
