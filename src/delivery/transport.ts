// The delivery layer's public face for the rest of Pressroom: the transport interface, its error
// and the factory. Only re-exports; inside src/delivery import the leaf modules themselves.
export { SendError } from './send-error.js';
export type { SendResult, Transport } from './transport-types.js';
export { createTransport, transportIdentity } from './create-transport.js';
