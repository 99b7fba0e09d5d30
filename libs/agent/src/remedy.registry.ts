import type { ActionType } from '@mapek/contracts';
import type { RemedyHandler } from './remedy.js';

/** Action → the handler that performs it in this process. */
export class RemedyRegistry {
  private readonly handlers = new Map<ActionType, RemedyHandler>();

  /** Registering an action again replaces its handler, so a service can override a built-in. */
  register(action: ActionType, handler: RemedyHandler): void {
    this.handlers.set(action, handler);
  }

  unregister(action: ActionType): boolean {
    return this.handlers.delete(action);
  }

  get(action: ActionType): RemedyHandler | undefined {
    return this.handlers.get(action);
  }

  actions(): ActionType[] {
    return [...this.handlers.keys()];
  }
}
