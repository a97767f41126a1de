/**
 * Handlers called the way every transport calls them: the request is checked by the contract's
 * schema first, which fills in its defaults, so a test writes a request as a client would
 * (RequestIn: defaulted fields may be left out) and the handler gets what it would in the app.
 */
import { requestSchemas, type Channel, type Handlers, type RequestIn } from '../../src/shared/contract';

export type CheckedHandlers<C extends Channel> = { [K in C]: (req: RequestIn<K>) => ReturnType<Handlers[K]> };

export function checkedHandlers<C extends Channel>(handlers: Pick<Handlers, C>): CheckedHandlers<C> {
  const out: Partial<Record<C, (req: unknown) => unknown>> = {};
  for (const channel of Object.keys(handlers) as C[]) {
    const handler = handlers[channel] as (req: unknown) => unknown;
    out[channel] = (req) => handler(requestSchemas[channel].parse(req));
  }
  return out as CheckedHandlers<C>;
}
