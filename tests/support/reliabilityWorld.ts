/**
 * What one reliability suite file owns: moto and the fault proxy (an EngineWorld), the shared host most
 * scenarios run on, a host with a short socket timeout for slow-answer faults, and a few hosts started
 * ahead of time for scenarios that kill a host and carry on in a new process. Every host is started in
 * parallel and stopped with the world.
 */
import { Snapshot } from "../../sdk";
import { EngineWorld } from "../../harness/engineWorld";
import type { ProviderHost } from "../../harness/providerHost";
import type { ScenarioHosts } from "./reliabilityScenario";
import { startCredentialTap, type CredentialTap } from "./reliabilityTap";
import { REGION, seedInstance } from "../../harness/seed";

/**
 * Settings every reliability host runs with, on top of FAST_SETTINGS: EC2's request budget scaled up
 * (one host serves many scenarios in a row), and a shorter visibility grace so a vanished snapshot is
 * noticed in 1.5 s rather than 5 s.
 */
export const RELIABILITY_ENV: Readonly<Record<string, string>> = {
  EBS_SNAPSHOTS_REQUEST_RATE_SCALE: "100",
  EBS_SNAPSHOTS_VISIBILITY_GRACE_MS: "1500",
};

/** The socket timeout of the slow host; slow-answer faults hold EC2's answer well past it. */
export const SLOW_REQUEST_TIMEOUT_MS = 400;

export interface ReliabilityWorldOptions {
  /** Hosts to start ahead of time for kills and fresh processes; more are started on demand. */
  freshHosts: number;
  /** Also start a host whose socket timeout is SLOW_REQUEST_TIMEOUT_MS. */
  slowHost: boolean;
  /** Stack configuration of every host; default { "aws:region": REGION }. */
  config?: Record<string, string>;
  /** Extra environment of every host. */
  env?: Record<string, string>;
  /** Credential values that must never appear in state, host output or error messages. */
  secrets: readonly string[];
  /** Put a CredentialTap between the hosts and the fault proxy. */
  tapCredentials?: boolean;
}

export class ReliabilityWorld {
  private readonly spares: ProviderHost[];

  private constructor(
    readonly world: EngineWorld,
    readonly shared: ProviderHost,
    private readonly slowHost: ProviderHost | undefined,
    spares: ProviderHost[],
    private readonly options: ReliabilityWorldOptions,
    /** The tap the hosts reach EC2 through, when asked for. */
    readonly tap: CredentialTap | undefined,
  ) {
    this.spares = spares;
  }

  static async start(options: ReliabilityWorldOptions): Promise<ReliabilityWorld> {
    const world = await EngineWorld.start(RELIABILITY_ENV);
    let tap: CredentialTap | undefined;
    try {
      tap = options.tapCredentials === true ? await startCredentialTap(world.proxy.endpoint) : undefined;
      const config = options.config ?? { "aws:region": REGION };
      const env = { ...(options.env ?? {}), ...(tap !== undefined ? { AWS_ENDPOINT_URL_EC2: tap.endpoint } : {}) };
      options = { ...options, env };
      const starting = [
        world.startHost(config, env),
        ...(options.slowHost ? [world.startHost(config, { ...env, EBS_SNAPSHOTS_REQUEST_TIMEOUT_MS: String(SLOW_REQUEST_TIMEOUT_MS) })] : []),
        ...Array.from({ length: options.freshHosts }, () => world.startHost(config, env)),
      ];
      // moto answers its first RunInstances and describes slowly: warm it while the hosts start.
      const motoWarm = seedInstance(world.ec2, [{}]).then(() => world.moto.reset());
      const [warmed, ...settled] = await Promise.allSettled([motoWarm, ...starting]);
      const failed = [warmed, ...settled].find((result): result is PromiseRejectedResult => result.status === "rejected");
      if (failed !== undefined) {
        throw failed.reason;
      }
      const hosts = settled.map((result) => (result as PromiseFulfilledResult<ProviderHost>).value);
      await warm(world, hosts);
      const [shared, ...rest] = hosts;
      const slow = options.slowHost ? rest.shift() : undefined;
      return new ReliabilityWorld(world, shared, slow, rest, options, tap);
    } catch (error) {
      await world.stop();
      await tap?.close();
      throw error;
    }
  }

  /** The host whose socket timeout is SLOW_REQUEST_TIMEOUT_MS. */
  get slow(): ProviderHost {
    if (this.slowHost === undefined) {
      throw new Error("this reliability world was started without a slow host");
    }
    return this.slowHost;
  }

  get hosts(): ScenarioHosts {
    return {
      shared: this.shared,
      fresh: () => this.fresh(),
      secrets: this.options.secrets,
    };
  }

  /** A configured host that has served nothing yet. */
  async fresh(): Promise<ProviderHost> {
    const spare = this.spares.shift();
    if (spare !== undefined) {
      return spare;
    }
    return this.world.startHost(this.options.config ?? { "aws:region": REGION }, this.options.env ?? {});
  }

  async stop(): Promise<void> {
    await this.world.stop();
    await this.tap?.close();
  }
}

/**
 * Loads the provider in each host with one Check, as the first hook of a deployment would, so that the
 * first scenario on a host is not timed with the module loading.
 */
async function warm(world: EngineWorld, hosts: readonly ProviderHost[]): Promise<void> {
  const [resource] = await world.register(() => {
    new Snapshot("warm-up", { volumeId: "vol-0123456789abcdef0" });
  });
  await Promise.all(hosts.map((host) => host.check(resource.urn, {}, resource.inputs)));
}
