/**
 * The explicit connector registry: adding a network means adding one line here.
 */
import type { AnyConnector, Connector } from './connector';
import { NotFoundError } from '../domain/errors';

/** Holds the connectors Herald knows; tests may build one with fakes for local HTTP peers. */
export class ConnectorRegistry {
  private readonly byId = new Map<string, AnyConnector>();

  constructor(connectors: Array<Connector<never, never>> = []) {
    for (const c of connectors) this.register(c);
  }

  /** Adds a connector; ids are unique. */
  register<C, S>(c: Connector<C, S>): void {
    if (this.byId.has(c.id)) throw new Error(`connector ${c.id} registered twice`);
    this.byId.set(c.id, c as unknown as AnyConnector);
  }

  /** The connector for a network id, or a 404-shaped error naming the known ones. */
  get(id: string): AnyConnector {
    const c = this.byId.get(id);
    if (!c) throw new NotFoundError(`Network "${id}" (known: ${[...this.byId.keys()].join(', ') || 'none'})`);
    return c;
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  list(): AnyConnector[] {
    return [...this.byId.values()];
  }
}
