/**
 * Bad user input (a backend, seed, table size, flow or CLI argument): the message names the bad
 * value and what was expected. The CLI prints it on one line and exits with code 2.
 */
export class InvalidInputError extends Error {
  override readonly name = "InvalidInputError";
}
