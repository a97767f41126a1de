import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { applyTheme } from './lib/theme';
import './styles/base.css';

// Before the first render, so a dark choice never flashes light.
applyTheme();
createApp(App).use(createPinia()).mount('#app');
