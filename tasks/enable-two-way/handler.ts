import { lambdaHandler } from '../lib/handler';
import { enableTwoWay } from './enable-two-way';

/** Lambda entry point of the EnableTwoWay task (thin: the logic is in enable-two-way.ts). */
export const handler = lambdaHandler('EnableTwoWay', enableTwoWay);
