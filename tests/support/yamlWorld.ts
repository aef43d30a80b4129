import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { EC2Client } from "@aws-sdk/client-ec2";
import { FAST_SETTINGS, TEST_CREDENTIALS } from "../../harness/engineWorld";
import { startFaultProxy, type FaultProxy } from "../../harness/faultProxy";
import { startMoto, type MotoServer } from "../../harness/moto";
import { REGION } from "../../harness/seed";
import { PulumiProject } from "./yamlProject";

/**
 * What a suite of Pulumi YAML projects on the plugin needs, started and stopped together: moto, the fault
 * proxy in front of it (the plugin's endpoint), an EC2 client straight to moto (to seed and to check what
 * really exists), and a temporary folder for the projects' sandboxes.
 */
export class YamlWorld {
  private constructor(
    readonly moto: MotoServer,
    readonly proxy: FaultProxy,
    readonly ec2: EC2Client,
    readonly tmp: string,
  ) {}

  static async start(name: string): Promise<YamlWorld> {
    const moto = await startMoto();
    try {
      const proxy = await startFaultProxy(moto.endpoint);
      const ec2 = new EC2Client({ region: REGION, endpoint: moto.endpoint, credentials: TEST_CREDENTIALS });
      return new YamlWorld(moto, proxy, ec2, fs.mkdtempSync(path.join(os.tmpdir(), `ebs-snapshots-${name}-`)));
    } catch (error) {
      await moto.stop();
      throw error;
    }
  }

  /** The environment of the plugin the CLI starts: EC2 through the proxy, test credentials, fast schedules. */
  get env(): Record<string, string> {
    return {
      AWS_ENDPOINT_URL_EC2: this.proxy.endpoint,
      AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      ...FAST_SETTINGS,
    };
  }

  /** A project folder's stack in this world, with the plugin's region set, as a user configures it. */
  async project(folder: string, extraEnv: Record<string, string> = {}): Promise<PulumiProject> {
    const project = await PulumiProject.open(folder, this.tmp, "dev", { ...this.env, ...extraEnv });
    await project.setConfig("ebs-snapshots:region", REGION);
    return project;
  }

  async stop(): Promise<void> {
    this.ec2.destroy();
    await this.proxy.close();
    await this.moto.stop();
    fs.rmSync(this.tmp, { recursive: true, force: true });
  }
}
