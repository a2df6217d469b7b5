package dev.bulwark.config;

/** Event classes the monitor reports as logs (`visibility`, `hostVisibility`); `none` reports nothing. */
public enum Visibility {
    process, file, network, capabilities, dns, none
}
