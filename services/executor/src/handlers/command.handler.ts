import { Inject, Injectable } from '@nestjs/common';
import type { Envelope } from '@mapek/contracts';
import { OnEvent, PermanentHandlerError, type HandlerContext } from '@mapek/messaging';
import type { CommandOpener } from '../adapters/command-opener.js';
import { EXECUTOR_SETTINGS, ExecutionService, type ExecutorSettings } from '../application/execution.service.js';
import { CommandRejectedError, commandExecutionId, commandPlan } from '../domain/manual-command.js';

export const COMMAND_OPENER = Symbol.for('mapek.executor.command-opener');

/**
 * `command` → a one-step plan through the same machinery as approved plans. The consumer's
 * verifier already refused what does not open; opening here again yields the spec to run.
 */
@Injectable()
export class CommandHandler {
  constructor(
    @Inject(ExecutionService) private readonly executions: ExecutionService,
    @Inject(COMMAND_OPENER) private readonly opener: CommandOpener,
    @Inject(EXECUTOR_SETTINGS) private readonly settings: ExecutorSettings,
  ) {}

  @OnEvent('command')
  async onCommand(event: Envelope<'command'>, context: HandlerContext): Promise<void> {
    let spec;
    try {
      spec = this.opener.open(context.subject, event);
    } catch (error) {
      if (error instanceof CommandRejectedError) throw new PermanentHandlerError(error.code, error.message, { cause: error });
      throw error;
    }
    const { commandId, actor } = event.data;
    await this.executions.run(
      {
        executionId: commandExecutionId(event.id),
        plan: commandPlan(commandId, event.target, spec, this.settings.commandStepTimeoutMs),
        target: event.target,
        causeEventId: event.id,
        command: { commandId, actor },
      },
      context,
    );
  }
}
