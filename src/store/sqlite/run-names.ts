/** Random run names in MLflow's style (`adjective-noun-123`) when the caller gives none. */
const ADJECTIVES = ['able', 'bold', 'brave', 'bright', 'calm', 'clever', 'crisp', 'eager', 'fair', 'gentle', 'glad', 'keen', 'kind', 'lucky', 'merry', 'neat', 'quick', 'quiet', 'sharp', 'smart', 'steady', 'sunny', 'swift', 'tidy', 'vivid', 'warm', 'wise', 'zesty'];
const NOUNS = ['ant', 'bass', 'bat', 'bear', 'cat', 'colt', 'crab', 'crow', 'deer', 'doe', 'dove', 'duck', 'eel', 'elk', 'finch', 'fox', 'goat', 'hare', 'hawk', 'lark', 'lynx', 'mole', 'moth', 'newt', 'owl', 'ram', 'seal', 'slug', 'swan', 'toad', 'wolf', 'wren'];

export function randomRunName(random: () => number = Math.random): string {
  const pick = (list: string[]): string => list[Math.floor(random() * list.length)]!;
  return `${pick(ADJECTIVES)}-${pick(NOUNS)}-${Math.floor(random() * 1000)}`;
}
