/**
 * Removes one element from an array in place, keeping the others in order. Hot paths (working
 * orders in the engine and the venue) use it instead of splice, which allocates an array of the
 * removed elements.
 */
export function removeItem<T>(list: T[], item: T): void {
  // Searched from the end: the latest orders are usually the first to finish.
  const i = list.lastIndexOf(item);
  if (i < 0) return;
  for (let j = i + 1; j < list.length; j++) list[j - 1] = list[j]!;
  list.pop();
}
