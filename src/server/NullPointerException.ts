/**
 * NullPointerException — where Java's request processing would dereference a null the
 * client sent (a null path, a null id in an ACL) and fail with an unchecked exception.
 *
 * Java catches that exception around the request and answers MARSHALLINGERROR, keeping
 * the connection. Clients do send nulls: kazoo writes every empty string as length -1.
 * So the server decodes them (proto.ts's nullable request fields) and, where Java would
 * throw, throws this, which Prep and Final turn into MARSHALLINGERROR like Java does.
 */
export class NullPointerException extends Error {
  override name = "NullPointerException";
}

/** `value`, or the NullPointerException Java would hit when using it. */
export function nonNull<T>(value: T | null, what: string): T {
  if (value === null) throw new NullPointerException(`${what} is null`);
  return value;
}
