// First: makes navigator.language usable before any module formats numbers with it.
import "./lib/locale";
import { mount } from "svelte";
import App from "./App.svelte";
import "./app.css";

const target = document.getElementById("app");
if (!target) throw new Error("#app element missing");

export default mount(App, { target });
