package dev.bulwark.policy;

/** What happens to an operation no Allow rule covers, in a class that has Allow rules (whitelist mode). */
public enum Posture {
    audit, block
}
