/**
 * The light/dark choice: follow the system (the default), or always light or dark. Remembered in
 * localStorage (serve mode and Electron alike) and applied as data-theme on <html>, which sets
 * `color-scheme` and so picks each light-dark() color of base.css.
 */
import { ref } from 'vue';

export type ThemeChoice = 'system' | 'light' | 'dark';

export const THEME_KEY = 'transferStudio.theme';
export const THEME_CHOICES: readonly ThemeChoice[] = ['system', 'light', 'dark'];

function readChoice(): ThemeChoice {
  try {
    const saved = localStorage.getItem(THEME_KEY);
    return saved === 'light' || saved === 'dark' ? saved : 'system';
  } catch {
    return 'system';
  }
}

/** The current choice; change it with {@link chooseTheme}. */
export const themeChoice = ref<ThemeChoice>(readChoice());

/** Puts the choice on the page. */
export function applyTheme(choice: ThemeChoice = themeChoice.value, root: HTMLElement = document.documentElement): void {
  if (choice === 'system') delete root.dataset.theme;
  else root.dataset.theme = choice;
}

export function chooseTheme(choice: ThemeChoice): void {
  themeChoice.value = choice;
  try {
    localStorage.setItem(THEME_KEY, choice);
  } catch {
    // Storage full or disabled: the choice lasts for this session.
  }
  applyTheme(choice);
}

/** The next choice in the cycle system → light → dark → system (the title bar's button). */
export function nextTheme(choice: ThemeChoice): ThemeChoice {
  return THEME_CHOICES[(THEME_CHOICES.indexOf(choice) + 1) % THEME_CHOICES.length];
}
