import { lambdaHandler } from '../lib/handler';
import { finishDeprovisioning } from './finish-deprovisioning';

/** Lambda entry point of the FinishDeprovisioning task (thin: the logic is in finish-deprovisioning.ts). */
export const handler = lambdaHandler('FinishDeprovisioning', finishDeprovisioning);
