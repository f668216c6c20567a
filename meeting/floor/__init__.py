"""The floor (đăng ký phát biểu): requests to speak, the speaker and the queue (feature.py)."""
