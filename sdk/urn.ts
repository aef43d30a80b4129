import * as pulumi from "@pulumi/pulumi";
import { MODULE } from "./types";

/**
 * The URN the engine gives a resource, passed to the provider as the `__urn` input: the dynamic-provider
 * host never tells a provider the URN, and a create interrupted before it returned can be resumed only by
 * a provider that knows which resource it is creating (provider/lifecycle/creationMarker.ts).
 */
export function urnInput(name: string, type: string, opts: pulumi.CustomResourceOptions | undefined): pulumi.Output<string> {
  return pulumi.createUrn(name, `pulumi-nodejs:dynamic/${MODULE}:${type}`, opts?.parent);
}
