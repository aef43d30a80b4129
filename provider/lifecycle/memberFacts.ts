import type { ProductCode } from "../types";

/** What is known of each member snapshot besides EC2's description of it. */
export interface MemberFacts {
  deviceNames: ReadonlyMap<string, string>;
  productCodes: ReadonlyMap<string, ProductCode[]>;
}
