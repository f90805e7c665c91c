/** A name → plugin factory map (upstream runtime.Registry): registering a name twice is an error. */
import type { Plugin } from './interface.ts';
import type { FrameworkContext } from './runtime.ts';

/** Builds a plugin instance for one profile. */
export type PluginFactory = (ctx: FrameworkContext) => Plugin;

/** Plugin factories by name. */
export class Registry {
  private readonly factories = new Map<string, PluginFactory>();

  /** Adds a factory; throws if the name is taken (as upstream's "a plugin named %v already exists"). */
  register(name: string, factory: PluginFactory): this {
    if (this.factories.has(name)) {
      throw new Error(`a plugin named ${name} already exists`);
    }
    this.factories.set(name, factory);
    return this;
  }

  /** The factory for `name`, or undefined. */
  get(name: string): PluginFactory | undefined {
    return this.factories.get(name);
  }

  /** Every registered name. */
  names(): string[] {
    return [...this.factories.keys()];
  }
}
