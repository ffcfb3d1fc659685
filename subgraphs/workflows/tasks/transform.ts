/**
 * transform: pure data mapping. The task's input, once its templates are rendered, is its
 * output, so a transform reshapes earlier outputs and the workflow input without code.
 */
import type { TaskRunner } from './task-runner';

export const runTransform: TaskRunner = async (input) => ({ output: input });
