/** The trivial task of the pools bench: returns its input doubled. */
export function echo(input: { n: number }): { doubled: number } {
  return { doubled: input.n * 2 };
}
