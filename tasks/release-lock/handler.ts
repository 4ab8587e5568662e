import { lambdaHandler } from '../lib/handler';
import { releaseLock } from './release-lock';

/** Lambda entry point of the ReleaseLock task (thin: the logic is in release-lock.ts). */
export const handler = lambdaHandler('ReleaseLock', releaseLock);
