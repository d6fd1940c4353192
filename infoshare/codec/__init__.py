"""Payload encryption: every workflow and activity payload is encrypted before it leaves
the process (AES-256-GCM), and a codec server lets the Temporal UI show it decrypted."""
