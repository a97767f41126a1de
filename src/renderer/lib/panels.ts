/**
 * Which side panels of the library are open, remembered across restarts. Without a remembered
 * choice, a narrow window starts with the classes folded, so the grid keeps several columns.
 */
import { ref, type Ref } from 'vue';

export interface PanelState {
  filters: boolean;
  classes: boolean;
}

export const PANELS_KEY = 'transferStudio.panels';
/** Narrower than this, the classes panel starts folded, px. */
const WIDE_ENOUGH = 1000;

export function loadPanels(width = window.innerWidth): PanelState {
  try {
    const saved: unknown = JSON.parse(localStorage.getItem(PANELS_KEY) ?? 'null');
    if (saved && typeof saved === 'object') {
      const { filters, classes } = saved as Record<string, unknown>;
      if (typeof filters === 'boolean' && typeof classes === 'boolean') return { filters, classes };
    }
  } catch {
    // Unreadable: the defaults.
  }
  return { filters: true, classes: width >= WIDE_ENOUGH };
}

export function usePanels(): { panels: Ref<PanelState>; toggle: (which: keyof PanelState) => void } {
  const panels = ref(loadPanels());
  function toggle(which: keyof PanelState): void {
    panels.value = { ...panels.value, [which]: !panels.value[which] };
    try {
      localStorage.setItem(PANELS_KEY, JSON.stringify(panels.value));
    } catch {
      // Storage full or disabled: the choice lasts for this session.
    }
  }
  return { panels, toggle };
}
