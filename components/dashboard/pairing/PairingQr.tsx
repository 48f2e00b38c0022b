import qrcode from 'qrcode-generator';
import { useMemo } from 'preact/hooks';

interface PairingQrProps {
  code: string;
}

/** The code as a QR image (SVG drawn from the module grid: no markup is injected). */
export function PairingQr({ code }: PairingQrProps) {
  const { size, path } = useMemo(() => {
    const qr = qrcode(0, 'M');
    qr.addData(code.toUpperCase(), 'Alphanumeric');
    qr.make();
    const count = qr.getModuleCount();
    let d = '';
    for (let row = 0; row < count; row++) for (let col = 0; col < count; col++) if (qr.isDark(row, col)) d += `M${col + 4} ${row + 4}h1v1h-1z`;
    return { size: count + 8, path: d };
  }, [code]);
  return (
    <svg class="pairing-qr" role="img" aria-label={`QR code of the pairing code ${code}`} viewBox={`0 0 ${size} ${size}`} width={size * 4} height={size * 4}>
      <rect width={size} height={size} fill="#fff" />
      <path d={path} fill="#000" />
    </svg>
  );
}
