import { LOGICAL_NAME_KEY, URN_KEY } from "../../inputs/bookkeepingInputs";

type Props = Record<string, unknown>;

/** The resource's name in the program: the last part of its URN. */
export function nameOf(urn: string): string {
  return urn.split("::").pop() ?? urn;
}

/**
 * The hooks name the resource and find an interrupted create by the bookkeeping keys the dynamic face's
 * SDK passes as inputs. The engine tells the plugin the URN with every call instead, so the face adds
 * them to what a hook receives, and keeps them out of state and of what `pulumi import` prints.
 */
export function withBookkeeping(props: Props, urn: string): Props {
  return { ...props, [LOGICAL_NAME_KEY]: nameOf(urn), [URN_KEY]: urn };
}

export function withoutBookkeeping<T extends object>(props: T): T {
  const { [LOGICAL_NAME_KEY]: _name, [URN_KEY]: _urn, ...rest } = props as Props;
  return rest as T;
}
