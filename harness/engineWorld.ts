import { EC2Client } from "@aws-sdk/client-ec2";
import { Deployment, type DeploymentState } from "./deployment";
import { startFaultProxy, type FaultProxy } from "./faultProxy";
import { startMoto, type MotoServer } from "./moto";
import { registerResources, type RegisteredResource } from "./program";
import { ProviderHost, type ProviderFace } from "./providerHost";
import { REGION } from "./seed";

/** Credentials the tests put in the host's environment; scans for leaks look for these values. */
export const TEST_CREDENTIALS = { accessKeyId: "AKIATESTING0EXAMPLE1", secretAccessKey: "testing/Secret+Key0ForTheEmulatorOnly123" };

/** The provider's settings shortened for the emulator: what real EC2 does in minutes takes milliseconds here. */
export const FAST_SETTINGS: Readonly<Record<string, string>> = {
  EBS_SNAPSHOTS_DESCRIBE_INTERVAL_MS: "20",
  EBS_SNAPSHOTS_POLL_MIN_MS: "20",
  EBS_SNAPSHOTS_POLL_MAX_MS: "200",
  EBS_SNAPSHOTS_RETRY_MIN_MS: "10",
  EBS_SNAPSHOTS_RETRY_MAX_MS: "100",
  EBS_SNAPSHOTS_VOLUME_SPACING_MS: "0",
  EBS_SNAPSHOTS_VISIBILITY_GRACE_MS: "5000",
  EBS_SNAPSHOTS_REQUEST_TIMEOUT_MS: "5000",
};

/** The environment of a provider host that talks to `endpoint`. */
export function hostEnv(endpoint: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_EC2: endpoint,
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    ...FAST_SETTINGS,
    ...extra,
  };
}

/** Which face a world's host serves; default "dynamic". */
export interface FaceOption {
  face?: ProviderFace;
}

/**
 * Everything an engine-level suite needs, started together and stopped together: moto, the fault proxy
 * in front of it, provider hosts (the dynamic-provider host, or the plugin with `{ face: "plugin" }`)
 * that reach EC2 through the proxy, and an SDK client that reaches moto directly (to seed data and to
 * check what really exists, past any injected fault).
 */
export class EngineWorld {
  private readonly hosts: ProviderHost[] = [];

  private constructor(
    readonly moto: MotoServer,
    readonly proxy: FaultProxy,
    readonly ec2: EC2Client,
    private readonly extraEnv: Record<string, string>,
  ) {}

  static async start(extraEnv: Record<string, string> = {}): Promise<EngineWorld> {
    const moto = await startMoto();
    try {
      const proxy = await startFaultProxy(moto.endpoint);
      const ec2 = new EC2Client({ region: REGION, endpoint: moto.endpoint, credentials: TEST_CREDENTIALS });
      return new EngineWorld(moto, proxy, ec2, extraEnv);
    } catch (error) {
      await moto.stop();
      throw error;
    }
  }

  get env(): Record<string, string> {
    return hostEnv(this.proxy.endpoint, this.extraEnv);
  }

  /**
   * A configured host, as the engine starts one per deployment. The same config serves both faces: the
   * plugin is sent `aws:region` as its own `ebs-snapshots:config:region` (ProviderHost.configure).
   */
  async startHost(config: Record<string, string> = { "aws:region": REGION }, env: Record<string, string> = {}, options: FaceOption = {}): Promise<ProviderHost> {
    const host = await ProviderHost.start({ env: { ...this.env, ...env }, ...(options.face !== undefined ? { face: options.face } : {}) });
    this.hosts.push(host);
    await host.configure(config);
    return host;
  }

  /** A deployment on a fresh host, optionally continuing from recorded state. */
  async deployment(state?: DeploymentState, options: FaceOption = {}): Promise<Deployment> {
    return new Deployment(await this.startHost(undefined, undefined, options), state);
  }

  /** The program's registrations; with `{ face: "plugin" }`, as a program using the plugin registers them (program.ts forFace). */
  register(program: () => void | Promise<void>, options: FaceOption = {}): Promise<RegisteredResource[]> {
    return registerResources(program, options);
  }

  /** Stops every host started so far (suites call it between tests). */
  async stopHosts(): Promise<void> {
    for (const host of this.hosts.splice(0)) {
      await host.stop();
    }
  }

  async stop(): Promise<void> {
    await this.stopHosts();
    this.ec2.destroy();
    await this.proxy.close();
    await this.moto.stop();
  }
}
