/**
 * EphemeralType — what a znode's `ephemeralOwner` field really says.
 *
 * Reimplements `org.apache.zookeeper.server.EphemeralType` (3.5.3+). Chapter 04 (data
 * loading: the tree rebuild sorts nodes into ephemerals / containers / TTLs by it,
 * [001 L2615–2732]) and chapter 07 (PrepRequestProcessor validates TTLs with it).
 *
 * One 64-bit field carries four meanings:
 *
 *     0                          VOID: a plain persistent node
 *     Long.MIN_VALUE (0x8000…0)  CONTAINER
 *     0xff 0000 <40-bit ttl>     TTL, only when extended types are enabled: the top byte
 *                                is all ones, the next two bytes select the feature (0 = TTL)
 *     anything else              NORMAL: the session id that owns an ephemeral node
 *
 * The TTL encoding steals session ids whose top byte is 0xff, which is why a server id
 * above 254 is refused when extended types are on (session ids start with the server id).
 *
 * Differs from Java: Java reads `zookeeper.extendedTypesEnabled` from system properties
 * on every call; here the flag is an argument, decided once from the configuration.
 * The 3.5.3 TTL emulation mode (`zookeeper.emulate353TTLNodes`) is not supported.
 */

// #region ephemeral-type
export type EphemeralKind = "VOID" | "NORMAL" | "CONTAINER" | "TTL";

export const CONTAINER_EPHEMERAL_OWNER = -0x8000000000000000n;
export const MAX_EXTENDED_SERVER_ID = 0xfen;

const EXTENDED_MASK = BigInt.asIntN(64, 0xff00000000000000n);
const RESERVED_BITS_MASK = 0x00ffff0000000000n;
const RESERVED_BITS_SHIFT = 40n;
const EXTENDED_BIT_TTL = 0n;
/** The largest TTL in ms: the low 40 bits, about 34 years. */
export const TTL_MAX_VALUE = ~(EXTENDED_MASK | RESERVED_BITS_MASK) & 0xffffffffffffffffn;

export function ephemeralType(ephemeralOwner: bigint, extendedTypesEnabled: boolean): EphemeralKind {
  if (extendedTypesEnabled && (ephemeralOwner & EXTENDED_MASK) === EXTENDED_MASK) {
    const feature = (ephemeralOwner & RESERVED_BITS_MASK) >> RESERVED_BITS_SHIFT;
    if (feature === EXTENDED_BIT_TTL) return "TTL";
    throw new RangeError(`Invalid ephemeralOwner. [${BigInt.asUintN(64, ephemeralOwner).toString(16)}]`);
  }
  if (ephemeralOwner === CONTAINER_EPHEMERAL_OWNER) return "CONTAINER";
  return ephemeralOwner === 0n ? "VOID" : "NORMAL";
}

/** The ephemeralOwner that marks a TTL node; throws RangeError for a ttl out of range. */
export function ttlToEphemeralOwner(ttl: bigint): bigint {
  if (ttl > TTL_MAX_VALUE || ttl <= 0n) {
    throw new RangeError(`ttl must be positive and cannot be larger than: ${TTL_MAX_VALUE}`);
  }
  return BigInt.asIntN(64, EXTENDED_MASK | (EXTENDED_BIT_TTL << RESERVED_BITS_SHIFT) | ttl);
}

/** The TTL in ms carried by a TTL node's ephemeralOwner. */
export function ttlOf(ephemeralOwner: bigint): bigint {
  return ephemeralOwner & TTL_MAX_VALUE;
}
// #endregion ephemeral-type
