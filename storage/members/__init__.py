"""What is stored about members beyond identity: their data on request, the figures."""
