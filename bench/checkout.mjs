// Checkout load driver for bench/checkout.sh: 32 concurrent buyers (BUYERS), each on its own
// variant, each placing orders one after another through the real GraphQL API.
//
//   node bench/checkout.mjs <graphql url> <variants file> <seconds> <mode>
//
// mode `checkout`: every buyer first builds CARTS_PER_BUYER carts (not timed), then the clock
//   runs while buyers only call checkoutComplete on them: completed checkouts/s.
// mode `flow`: the clock runs while each buyer repeats cartCreate + checkoutComplete: orders/s
//   for the whole buyer journey.
// Every answer is checked; a userError or GraphQL error counts as failed. Prints one line:
//   vitrine-checkout: mode=… buyers=… seconds=… completed=… per_s=… p50_ms=… p99_ms=… failed=…
import { readFileSync } from "node:fs";
import http from "node:http";

const [url, variantsFile, secondsArg, mode] = process.argv.slice(2);
const seconds = Number(secondsArg);
const buyers = Number(process.env.BUYERS ?? 32);
const cartsPerBuyer = Number(process.env.CARTS_PER_BUYER ?? 400);
const variants = readFileSync(variantsFile, "utf8").split("\n").filter(Boolean);
if (variants.length < buyers) throw new Error(`need ${buyers} variants, got ${variants.length}`);

const CART = `mutation($v: ID!, $e: String!) { cartCreate(input: {
  lines: [{merchandiseId: $v, quantity: 1}], buyerIdentity: {email: $e, countryCode: FR},
  shippingAddress: {address1: "1 rue de Rivoli", city: "Paris", zip: "75001", countryCode: FR}
}) { cart { id } userErrors { code message } } }`;
const CHECKOUT = `mutation($c: ID!, $k: String!) { checkoutComplete(cartId: $c,
  payment: {method: MANUAL}, idempotencyKey: $k) { order { number } userErrors { code message } } }`;

let firstFailure = null;
// node:http with a keep-alive agent rather than fetch: fetch costs several times the CPU per
// request, and the driver shares the machine's cores with the gateway and the database.
const agent = new http.Agent({ keepAlive: true, maxSockets: buyers });
const target = new URL(url);
function gql(query, variables) {
  const body = JSON.stringify({ query, variables });
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        agent,
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: "POST",
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      },
      (response) => {
        const chunks = [];
        response.on("data", (c) => chunks.push(c));
        response.on("end", () => {
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")));
          } catch (e) {
            reject(e);
          }
        });
        response.on("error", reject);
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}

async function createCart(buyer, n) {
  const r = await gql(CART, { v: variants[buyer], e: `buyer${buyer}.${n}@example.com` });
  const cart = r?.data?.cartCreate?.cart?.id;
  if (!cart) throw new Error(`cartCreate failed: ${JSON.stringify(r).slice(0, 300)}`);
  return cart;
}

async function checkout(cart, key) {
  const started = performance.now();
  const r = await gql(CHECKOUT, { c: cart, k: key });
  const ms = performance.now() - started;
  const ok = r?.data?.checkoutComplete?.order?.number != null;
  if (!ok && !firstFailure) firstFailure = JSON.stringify(r).slice(0, 300);
  return { ok, ms };
}

const latencies = [];
let completed = 0;
let failed = 0;

async function buyer(index, carts, deadline) {
  let n = 0;
  while (performance.now() < deadline) {
    const cart = mode === "flow" ? await createCart(index, n) : carts[n];
    if (!cart) break;
    const { ok, ms } = await checkout(cart, `bench-${index}-${n}`);
    n += 1;
    if (performance.now() > deadline) break;
    latencies.push(ms);
    if (ok) completed += 1;
    else failed += 1;
  }
}

const prepared = [];
if (mode === "checkout") {
  for (let b = 0; b < buyers; b += 1) prepared.push([]);
  await Promise.all(prepared.map(async (list, b) => {
    for (let n = 0; n < cartsPerBuyer; n += 1) list.push(await createCart(b, n));
  }));
}
// On stderr, so that a profiler watching the log knows when the measured part begins.
console.error(`==> ${mode}: measuring for ${seconds} s`);
const started = performance.now();
const deadline = started + seconds * 1000;
await Promise.all(Array.from({ length: buyers }, (_, b) => buyer(b, prepared[b] ?? [], deadline)));
const elapsed = (Math.min(performance.now(), deadline) - started) / 1000;
latencies.sort((a, b) => a - b);
const pct = (p) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))].toFixed(1) : "0");
const exhausted = mode === "checkout" && completed + failed >= buyers * cartsPerBuyer;
console.log(
  `vitrine-checkout: mode=${mode} buyers=${buyers} seconds=${elapsed.toFixed(1)} completed=${completed} ` +
    `per_s=${(completed / elapsed).toFixed(0)} p50_ms=${pct(0.5)} p99_ms=${pct(0.99)} failed=${failed}` +
    (exhausted ? " carts_exhausted=1" : ""),
);
if (firstFailure) console.log(`first failed: ${firstFailure}`);
